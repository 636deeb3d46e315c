"""A tenant's first sign-in starts its first fleet overview at once, instead of at beat's next look (up to 30 s)."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from . import tasks
from .models import FleetOverview


@receiver(user_logged_in)
def first_overview_of_a_new_tenant(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None or sociallogin.account.provider != "mindsphere":
        return
    tenant = sociallogin.state.get("tenant")
    if not tenant or FleetOverview.objects.filter(tenant=tenant).exists():
        return  # beat keeps a known tenant's overview up to date
    # The run claims the tenant itself (fleet.runs): a beat that finds it due at the same time waits its turn.
    transaction.on_commit(lambda: tasks.refresh_overview.delay(tenant))
