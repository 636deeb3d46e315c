"""The gateway's sign-in session: its cookies, what it keeps server-side, and when it is over.

The session is a row of Django's database sessions in the emulator's database; the browser holds
only its key (`SESSION`), a second random value bound to it (`REGION-SESSION`) and the XSRF token
scripts send back (`XSRF-TOKEN`). Tokens never leave the server.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port

from emulator import faults

SESSION_COOKIE = "SESSION"
REGION_COOKIE = "REGION-SESSION"
XSRF_COOKIE = "XSRF-TOKEN"
XSRF_HEADER = "x-xsrf-token"
GATEWAY_COOKIES = (SESSION_COOKIE, REGION_COOKIE, XSRF_COOKIE)
# Methods that need no XSRF token (MindSphere: PUT, POST, PATCH and DELETE need one).
NO_XSRF_METHODS = ("GET", "HEAD")
# The row outlives the session by a day, so a request after the end still knows its tenant.
ROW_EXTRA_SECONDS = 86400
# A sign-in started and not finished within 10 minutes is forgotten; a browser may have a few at once (tabs).
PENDING_SECONDS = 600
PENDING_KEEP = 5

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def host_tenant(request: HttpRequest) -> str | None:
    """The tenant a `{tenant}.localhost` host name selects, as MindSphere's per-tenant host names do."""
    domain, _port = split_domain_port(request.get_host())
    name, dot, rest = domain.partition(".")
    return name if dot and rest == "localhost" and name else None


def load(request: HttpRequest) -> SessionStore | None:
    """The session the `SESSION` cookie names, signed in or only signing in; None when there is none."""
    key = request.COOKIES.get(SESSION_COOKIE)
    if not key:
        return None
    store = SessionStore(session_key=key)
    return store if store.keys() else None  # reads the row; an unknown or expired key reads as empty


def active(request: HttpRequest) -> tuple[SessionStore | None, str | None]:
    """The request's signed-in session (None when it has none or it is over) and the tenant to sign in to."""
    store = load(request)
    tenant = host_tenant(request) or (store.get("tenant") if store is not None else None)
    if store is None or "token" not in store or store["tenant"] != tenant:
        return None, tenant
    region = request.COOKIES.get(REGION_COOKIE, "")
    if not hmac.compare_digest(region.encode(), store["region"].encode()):
        return None, tenant
    if _over(request, store):
        close(store)
        return None, tenant
    return store, tenant


def _over(request: HttpRequest, store: SessionStore) -> bool:
    started = store["started"]
    if time.time() - started >= settings.EMULATOR_GATEWAY_SESSION_SECONDS:
        return True
    return faults.session_over(store["tenant"], request.path, datetime.fromtimestamp(started, tz=UTC))


def xsrf_ok(request: HttpRequest, store: SessionStore) -> bool:
    """Whether the request may change something: `x-xsrf-token` equals the `XSRF-TOKEN` cookie and the session's."""
    if request.method in NO_XSRF_METHODS:
        return True
    header = request.headers.get(XSRF_HEADER, "").encode()
    cookie = request.COOKIES.get(XSRF_COOKIE, "").encode()
    return bool(header) and hmac.compare_digest(header, cookie) and hmac.compare_digest(cookie, store["xsrf"].encode())


def begin(tenant: str, token: dict, user: dict) -> SessionStore:
    """A new signed-in session (a new key: whatever session the browser had before is not reused)."""
    store = SessionStore()
    store.update(
        {
            "tenant": tenant,
            "started": time.time(),
            "token": token,
            "user": user,
            "xsrf": secrets.token_urlsafe(32),
            "region": secrets.token_urlsafe(24),
        }
    )
    store.set_expiry(settings.EMULATOR_GATEWAY_SESSION_SECONDS + ROW_EXTRA_SECONDS)
    store.save()
    return store


def remember_sign_in(request: HttpRequest, state: str, item: dict) -> SessionStore:
    """Keeps a sign-in in progress (by its state) in the browser's session, or in a new one; that session."""
    store = load(request)
    if store is None:
        store = SessionStore()
        store.set_expiry(ROW_EXTRA_SECONDS)
        store.save()
    with locked(store.session_key or "") as fresh:
        pending = _unexpired(fresh.get("pending", {}))
        pending[state] = {**item, "created": time.time()}
        fresh["pending"] = dict(list(pending.items())[-PENDING_KEEP:])
        fresh.save()
    return store


def take_sign_in(store: SessionStore | None, state: str) -> dict | None:
    """The sign-in in progress with this state, forgotten as it is taken (a state works once); None if unknown."""
    if store is None or not state or not store.session_key:
        return None
    with locked(store.session_key) as fresh:
        pending = _unexpired(fresh.get("pending", {}))
        found = pending.pop(state, None)
        fresh["pending"] = pending
        if fresh.session_key:
            fresh.save()
    return found


def _unexpired(pending: dict) -> dict:
    return {state: item for state, item in pending.items() if time.time() - item["created"] < PENDING_SECONDS}


@contextmanager
def locked(key: str) -> Iterator[SessionStore]:
    """The session read afresh, one request at a time per session in this process (the caller saves).

    The gateway runs as one process (runserver, threaded), so a lock per session is enough to keep
    two requests from refreshing the same tokens at once (with rotation, the second would present a
    rotated-out refresh token and the sign-in service would end the sign-in).
    """
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        store = SessionStore(session_key=key)
        store.keys()  # read now, inside the lock
        yield store


def close(store: SessionStore) -> None:
    """The session is over: its tokens are dropped; the row stays, so later requests still know the tenant."""
    with locked(store.session_key or "") as fresh:
        if fresh.session_key and "token" in fresh:
            del fresh["token"]
            fresh.save()


def end(store: SessionStore) -> None:
    """The session is gone, row and all (sign-out; a new sign-in replaces it)."""
    key = store.session_key
    store.delete()
    with _locks_guard:
        _locks.pop(key or "", None)


def set_cookies(response: HttpResponse, store: SessionStore) -> None:
    response.set_cookie(SESSION_COOKIE, store.session_key or "", httponly=True, samesite="Lax")
    response.set_cookie(REGION_COOKIE, store["region"], httponly=True, samesite="Lax")
    # Readable by scripts: the app's own requests send it back in x-xsrf-token.
    response.set_cookie(XSRF_COOKIE, store["xsrf"], samesite="Lax")


def set_pending_cookie(response: HttpResponse, store: SessionStore) -> None:
    response.set_cookie(SESSION_COOKIE, store.session_key or "", httponly=True, samesite="Lax")


def clear_cookies(response: HttpResponse) -> None:
    for name in GATEWAY_COOKIES:
        response.delete_cookie(name, samesite="Lax")
