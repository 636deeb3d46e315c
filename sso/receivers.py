"""After allauth signs a person in: store their tokens, their identity and their roles."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from . import roles, session, tokens
from .models import MindSphereIdentity, TokenRecord


@receiver(user_logged_in)
def store_mindsphere_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None or sociallogin.account.provider != "mindsphere":
        return
    # What the provider verified (sso/providers/mindsphere/views.py): the claims as the account's
    # extra data, the tenant in allauth's state, the tokens on the (never stored) SocialToken.
    claims, state = sociallogin.account.extra_data, sociallogin.state
    tenant, subtenant = state["tenant"], claims.get("subtenant") or ""
    identity, _ = MindSphereIdentity.objects.update_or_create(
        user=user,
        defaults={
            "tenant": tenant,
            "subtenant": subtenant,
            "mindsphere_user_id": claims["user_id"],
            "email": claims["email"],
            "scopes": claims.get("scope", []),
            "last_seen": timezone.now(),
        },
    )
    roles.sync_roles(user, claims.get("scope", []), tenant, subtenant)
    request.session.save()  # make sure the session has its key before the record points at it
    record = tokens.store_sign_in(
        user=user,
        session_key=request.session.session_key,
        tenant=tenant,
        access_token=sociallogin.token.token,
        refresh_token=sociallogin.token.token_secret,
        refresh_expires_in=state.get("refresh_token_expires_in"),
        claims=claims,
    )
    session.attach(request, record, identity)
    request.session.pop(session.SESSION_ENDED_KEY, None)  # a new sign-in on a device told it was signed out


@receiver(post_delete, sender=TokenRecord)
def end_the_session_of_a_deleted_record(sender, instance: TokenRecord, **kwargs) -> None:
    # The session check trusts the copy of the record's expiries in the session, so a record that
    # is gone (sign-out, sign-out everywhere, housekeeping, a deleted user) takes its session along.
    session_key = instance.session_key
    transaction.on_commit(lambda: session.end_sessions([session_key]))
