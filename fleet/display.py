"""What the fleet overview shows a person: their own tenant's overview, from the database only.

The tenant comes from the identity the session keeps from sign-in, never from the request. People
of a subtenant see nothing for now (docs/tenancy.md): the overview is the whole tenant's.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timesince

from sso import session

from .app_settings import app_settings
from .models import FleetOverview, stale_age

POLL_SECONDS = 10  # while a run is awaited, the overview asks for itself again this often (htmx)


def viewer_tenant(request: HttpRequest) -> str | None:
    """The tenant whose overview this person may see; None: none (not signed in through MindSphere, or a subtenant)."""
    if not hasattr(request, "session"):
        return None
    identity = session.identity(request)
    if identity is None or not identity.tenant or identity.subtenant:
        return None
    return identity.tenant


def overview_context(request: HttpRequest, notice: str = "", notice_level: str = "info") -> dict:
    """The template context of fleet/_overview.html for this person (`shown` False: nothing to show).

    `notice`: a sentence shown on top (e.g. "Update requested"), with its message level.
    """
    tenant = viewer_tenant(request)
    if tenant is None:
        return {"shown": False}
    overview = FleetOverview.objects.filter(tenant=tenant).first()
    now = timezone.now()
    computed_at = overview.computed_at if overview is not None else None
    # Polling while a first result or a requested one is awaited; a tenant whose runs fail is not polled.
    awaited = (
        overview is None or (computed_at is None and not overview.failed_since) or _requested_since_result(overview)
    )
    return {
        "shown": True,
        "request": request,
        "user": request.user,
        "overview": overview,
        "computed": computed_at is not None,
        "stale": computed_at is not None and now - computed_at > stale_age(),
        "just_now": computed_at is not None and now - computed_at < timedelta(minutes=1),  # not "0 minutes old"
        "stale_span": timesince(now - stale_age(), now),
        "interval_span": timesince(now - timedelta(seconds=app_settings.ASSETS_OVERVIEW_INTERVAL), now),
        "poll_seconds": POLL_SECONDS if awaited else None,
        "notice": notice,
        "notice_level": notice_level,
    }


def _requested_since_result(overview: FleetOverview) -> bool:
    last = max(filter(None, [overview.computed_at, overview.error_at]), default=None)
    return overview.requested_at is not None and (last is None or overview.requested_at > last)
