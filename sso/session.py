"""The link between a Django session and its token record, and signing a person out."""
from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest

from . import tokens
from .models import TokenRecord

SESSION_RECORD_KEY = "_mindsphere_token_record"
SESSION_TENANT_KEY = "_mindsphere_tenant"
LAST_TENANT_COOKIE = "mindsphere_tenant"


def record_id(request: HttpRequest) -> int | None:
    return request.session.get(SESSION_RECORD_KEY)


def attach(request: HttpRequest, record: TokenRecord) -> None:
    request.session[SESSION_RECORD_KEY] = record.pk
    request.session[SESSION_TENANT_KEY] = record.tenant
    # The Django session lives exactly as long as the refresh token.
    request.session.set_expiry(record.refresh_expires_at)


def ensure_fresh(request: HttpRequest) -> TokenRecord:
    """This session's record with a usable access token (see tokens.ensure_fresh)."""
    return tokens.ensure_fresh(record_id(request), user_id=request.user.pk)


def sign_out(request: HttpRequest, *, everywhere: bool = False) -> str | None:
    """Delete this session's record (or all of the person's, with their sessions) and end the session.

    Returns the tenant the person was signed in to, for the provider's logout.
    """
    tenant = request.session.get(SESSION_TENANT_KEY)
    if request.user.is_authenticated:
        keys = tokens.delete_records(request.user, everywhere=everywhere, only=record_id(request))
        if everywhere:
            end_sessions(keys)
    logout(request)
    return tenant


def end_sessions(session_keys: Iterable[str]) -> None:
    """End these Django sessions, whichever session engine keeps them (database or cache)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store(session_key=key).delete()
