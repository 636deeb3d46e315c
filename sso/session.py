"""The link between a Django session and its token record, the session check, and signing a person out.

The session keeps a copy of what the check needs from the record (its id and its two expiries), so
the check's valid path reads nothing but the session: no user, no record, no write. The copy can
only be early, never late: a refresh moves the access expiry forward (a check that finds the copy
due reads the record and takes the newer expiry), the refresh expiry never moves, and a record
that is deleted takes its session with it (sso.receivers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.sessions.backends.base import CreateError
from django.db import transaction
from django.http import HttpRequest

from . import tokens
from .models import MindSphereIdentity, TokenRecord

SESSION_RECORD_KEY = "_mindsphere_token_record"
SESSION_TENANT_KEY = "_mindsphere_tenant"
SESSION_EXPIRIES_KEY = "_mindsphere_expiries"  # [access, refresh] as POSIX seconds
SESSION_IDENTITY_KEY = "_mindsphere_identity"  # {"email", "tenant", "subtenant"} for the pages
# Left, alone, in a session that "Sign out everywhere" ended on another device: its next request says why.
SESSION_ENDED_KEY = "_mindsphere_ended"
ENDED_EVERYWHERE = "everywhere"
ENDED = "ended"
LAST_TENANT_COOKIE = "mindsphere_tenant"
# Why a checked session signs no one in, for the Login page, signed: a check stores nothing server-side.
SIGNED_OUT_COOKIE = "mindsphere_signed_out"
# Set by sso.bearer's middleware on a request whose gateway bearer token it verified: that token.
GATEWAY_TOKEN_ATTRIBUTE = "mindsphere_gateway_token"


def gateway_token(request: HttpRequest) -> str | None:
    """The verified token of a request that came through MindSphere's gateway (sso.bearer), else None."""
    return getattr(request, GATEWAY_TOKEN_ATTRIBUTE, None)


def record_id(request: HttpRequest) -> int | None:
    return request.session.get(SESSION_RECORD_KEY)


def attach(request: HttpRequest, record: TokenRecord, identity: MindSphereIdentity | None = None) -> None:
    request.session[SESSION_RECORD_KEY] = record.pk
    request.session[SESSION_TENANT_KEY] = record.tenant
    if identity is not None:
        request.session[SESSION_IDENTITY_KEY] = saved_identity(identity)
    remember(request, record)
    # The Django session lives exactly as long as the refresh token.
    request.session.set_expiry(record.refresh_expires_at)


def remember(request: HttpRequest, record: TokenRecord) -> None:
    """Keep the record's expiries in the session (written only when they changed)."""
    expiries = [record.access_expires_at.timestamp(), record.refresh_expires_at.timestamp()]
    if request.session.get(SESSION_EXPIRIES_KEY) != expiries:
        request.session[SESSION_EXPIRIES_KEY] = expiries


def _expiries(request: HttpRequest) -> tuple[datetime, datetime] | None:
    saved = request.session.get(SESSION_EXPIRIES_KEY)
    if not (isinstance(saved, list) and len(saved) == 2):
        return None  # no sign-in through MindSphere in this session (a password at /admin/): no record either
    access, refresh = (datetime.fromtimestamp(value, tz=UTC) for value in saved)
    return access, refresh


@dataclass(frozen=True)
class SessionIdentity:
    """What pages show of who is signed in, kept in the session at sign-in (it does not change)."""

    email: str
    tenant: str
    subtenant: str = ""


def saved_identity(identity: MindSphereIdentity) -> dict[str, str]:
    """What the session keeps of who signed in (SessionIdentity's fields)."""
    return {"email": identity.email, "tenant": identity.tenant, "subtenant": identity.subtenant}


def identity(request: HttpRequest) -> SessionIdentity | None:
    """Who is signed in as MindSphere knows them, as kept in the session at sign-in (None: not through MindSphere)."""
    saved = request.session.get(SESSION_IDENTITY_KEY)
    if not isinstance(saved, dict):
        return None
    return SessionIdentity(saved.get("email", ""), saved.get("tenant", ""), saved.get("subtenant", ""))


def ends_at(request: HttpRequest) -> datetime:
    """When this session's MindSphere session ends: the refresh expiry (the session's own expiry)."""
    expiries = _expiries(request)
    return expiries[1] if expiries else request.session.get_expiry_date()


def _user_pk(request: HttpRequest) -> int | str | None:
    raw = request.session.get(SESSION_KEY)
    return None if raw is None else get_user_model()._meta.pk.to_python(raw)


def _session_is_gone(request: HttpRequest) -> bool:
    """The browser sent a session cookie, but that session is over (signed out elsewhere, or expired)."""
    return bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME)) and request.session.session_key is None


def check(request: HttpRequest) -> bool:
    """The lifecycle include's check of this session, without loading the user.

    False: nobody is signed in in this session (`why_signed_out` says whether it once was). True:
    signed in, and the access token is usable (refreshed if it was due). SignedOutError: the
    MindSphere session is over; ProviderUnavailableError: MindSphere could not be reached, try again later.
    """
    user_pk = _user_pk(request)
    if user_pk is not None and gateway_token(request):
        return True  # the gateway's token, verified for this request: MindSphere's gateway refreshes it, not the app
    if user_pk is None:
        return False
    expiries = _expiries(request)
    if expiries is not None and tokens.decide_expiries(*expiries) is tokens.Outcome.VALID:
        return True
    remember(request, tokens.ensure_fresh(record_id(request), user_id=user_pk))
    return True


def ensure_current_roles(request: HttpRequest) -> bool:
    """Before a privileged view or action: the signed-in person's roles as MindSphere gives them now.

    A request through MindSphere's gateway carries a token verified for it, whose scopes gave the
    roles (sso.bearer): True. A session signed in through MindSphere gets `check`: nothing to do while the access token is
    valid; once it is due, the refresh re-syncs roles and operator status from the new token's
    scopes (sso.roles.sync_roles) and `request.user` is read again. So a role removed in MindSphere
    is gone within the access token's lifetime. SignedOutError and ProviderUnavailableError as
    `check`. True: go on. False: the person's roles come from MindSphere (they have an identity) but
    this session did not sign in through it, so nothing can vouch for them. Someone MindSphere does
    not know (an operator with a password) has no roles from it to check: True.
    """
    signed_in = _user_pk(request)
    if signed_in is None:
        return False  # not signed in by this session (another authentication): nothing vouches for the roles
    if gateway_token(request):
        return True  # roles follow the scopes of this request's token (sso.bearer)
    user_pk = str(signed_in)
    expiries = _expiries(request)
    if expiries is None:
        return not MindSphereIdentity.objects.filter(user_id=user_pk).exists()
    if tokens.decide_expiries(*expiries) is tokens.Outcome.VALID:
        return True  # the roles the app knows are those of the valid token
    check(request)
    # Refreshed (here or by another process): roles and staff status may have changed since the user
    # was loaded for this request. Re-read after every due check, not only when the expiries moved: a
    # token refreshed in the same second as the one before has the same expiry.
    request.user = get_user_model()._default_manager.get(pk=user_pk)
    return True


def ensure_fresh(request: HttpRequest) -> TokenRecord:
    """This session's record with a usable access token (see tokens.ensure_fresh), for API calls."""
    record = tokens.ensure_fresh(record_id(request), user_id=request.user.pk)
    remember(request, record)
    return record


def sign_out(request: HttpRequest, *, everywhere: bool = False) -> str | None:
    """Delete this session's record (or all of the person's, with their sessions) and end the session.

    Returns the tenant the person was signed in to, for the provider's logout.
    """
    tenant = request.session.get(SESSION_TENANT_KEY)
    if request.user.is_authenticated:
        # Deleting a record ends the session it belongs to (sso.receivers), on every device.
        keys = tokens.delete_records(request.user, everywhere=everywhere, only=record_id(request))
        others = [key for key in keys if key != request.session.session_key]
        if everywhere and others:
            # After the receivers' on_commit callbacks have ended those sessions (callbacks run in order).
            transaction.on_commit(lambda: mark_ended_everywhere(others))
    if _user_pk(request) is None:
        # Nobody is signed in here: the session is kept (another tab may be signing in with it, its
        # state and PKCE verifier are in it), only the mark of an ended session goes.
        request.session.pop(SESSION_ENDED_KEY, None)
    else:
        logout(request)
    return tenant


def end_sessions(session_keys: Iterable[str]) -> None:
    """End these Django sessions, whichever session engine keeps them (database or cache)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store(session_key=key).delete()


def mark_ended_everywhere(session_keys: Iterable[str]) -> None:
    """Put an empty session under each ended key, holding only why it ended, for that device's next request.

    The key is the one the other device's cookie still carries; the session holds no user, so it
    signs no one in. It lives as long as a fresh session would, then the engine's cleanup takes it.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store = store_class(session_key=key)
        # Set the contents without loading them: loading a key that is gone would drop the key.
        store._session_cache = {SESSION_ENDED_KEY: ENDED_EVERYWHERE}
        try:  # noqa: SIM105
            store.save(must_create=True)
        except CreateError:
            pass  # the key is in use again (a new session took it): that device is not told


def why_signed_out(request: HttpRequest) -> str | None:
    """For a session that signs no one in: ENDED_EVERYWHERE when "Sign out everywhere" on another
    device ended it, ENDED when its cookie names a session that is over, else None (never signed in)."""
    if ended_everywhere(request):
        return ENDED_EVERYWHERE
    return ENDED if _session_is_gone(request) else None


def ended_everywhere(request: HttpRequest) -> bool:
    """This request's session is one that "Sign out everywhere" ended on another device."""
    return request.session.get(SESSION_ENDED_KEY) == ENDED_EVERYWHERE
