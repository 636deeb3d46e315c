"""Technical tokens: the app's own access to a tenant's data, with no person signed in.

MindSphere's Token Management Service (`POST {gateway}/api/technicaltokenmanager/v3/oauth/token`,
header `X-SPACE-AUTH-KEY: Basic base64(client_id:client_secret)`, JSON body `appName`,
`appVersion`, `hostTenant`, `userTenant`) issues them to the app's credentials
(MDSP_KEY_STORE_CLIENT_ID and _SECRET, granted per app version in Developer Cockpit) for a user
tenant that has the app. A token lives 30 minutes: each is kept in Django's cache per user
tenant, encrypted, and reused until shortly before it expires. One fetch per tenant at a time: a
lock in the same cache (`cache.add`), held at most a little longer than one call may take;
docs/fleet.md says why the cache and not the database.

    client = MindSphereClient(TechnicalTokens("acme"), "acme")
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
import time
import uuid
from dataclasses import dataclass, field

import jwt
import requests
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.cache import cache

from . import hosts
from .app_settings import MindSphereSettings, app_settings
from .exceptions import MindSphereAPIError, ProviderUnavailableError, TechnicalTokenRefusedError
from .gateway import OUTAGE, _headers, error_message, json_body

logger = logging.getLogger(__name__)

TOKEN_PATH = "api/technicaltokenmanager/v3/oauth/token"
LIFETIME = 1800  # seconds a technical token lives when the answer does not say (Siemens: 30 minutes)
RENEW_BEFORE = 300  # a cached token is replaced this many seconds before it expires (at most half its life)
WAIT_STEP = 0.1  # seconds between looks at the cache while another process fetches the tenant's token
SERVICE = "Token Management Service"
_SEAL_INFO = b"mindsphere-mobile-starter technical token cache v1"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str = field(repr=False)  # never in a log line or a traceback
    lifetime: float  # seconds from when it was issued


class TechnicalTokens:
    """A token source (mindsphere.gateway.TokenSource) for `tenant`, with the app's own credentials."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self._sent: str | None = None

    def access_token(self) -> str:
        self._sent = technical_token(self.tenant)
        return self._sent

    def renew(self) -> bool:
        # The gateway refused the token (revoked early, keys rotated): drop it, unless another
        # process has already replaced it, and send the next one.
        forget(self.tenant, only=self._sent)
        self._sent = technical_token(self.tenant)
        return True

    def __repr__(self) -> str:
        return f"TechnicalTokens({self.tenant!r})"


def technical_token(tenant: str) -> str:
    """A technical access token for `tenant`: the cached one while it lasts, else a new one.

    Of the processes that find no token, one fetches it (holding the tenant's lock) and the others
    wait for it. Raises TechnicalTokenRefusedError (credentials, app version, a tenant without the
    app), ProviderUnavailableError (unreachable, 5xx, 429) or MindSphereAPIError.
    """
    deadline = time.monotonic() + 2 * _lock_seconds()
    while True:
        token = _cached(tenant)
        if token is not None:
            return token
        owner = uuid.uuid4().hex
        if cache.add(_key("lock", tenant), owner, timeout=_lock_seconds()):
            return _fetch_holding_lock(tenant, owner)
        if time.monotonic() > deadline:
            raise ProviderUnavailableError(f"waited too long for the {SERVICE} (another process is asking it)")
        time.sleep(WAIT_STEP)


def forget(tenant: str, *, only: str | None = None) -> None:
    """Drop the cached token of `tenant` (only if it is still `only`, when given)."""
    if only is None or _cached(tenant) == only:
        cache.delete(_key("token", tenant))


def _fetch_holding_lock(tenant: str, owner: str) -> str:
    try:
        token = _cached(tenant)  # stored by the lock's previous holder between our look and our lock
        if token is None:
            issued = request_token(tenant)
            _store(tenant, issued)
            token = issued.access_token
        return token
    finally:
        # Only our own lock: should ours have expired, another process may hold the tenant's now.
        if cache.get(_key("lock", tenant)) == owner:
            cache.delete(_key("lock", tenant))


def request_token(user_tenant: str) -> IssuedToken:
    """Ask the Token Management Service for a new technical token for `user_tenant` (no cache, no lock)."""
    url = f"{hosts.gateway_base(user_tenant)}/{TOKEN_PATH}"
    body = {
        "appName": _setting("MDSP_OS_VM_APP_NAME"),
        "appVersion": _setting("MDSP_OS_VM_APP_VERSION"),
        "hostTenant": _setting("MDSP_HOST_TENANT"),
        "userTenant": user_tenant,
    }
    try:
        # No redirects: X-SPACE-AUTH-KEY (unlike Authorization) would travel with one to another host.
        response = requests.post(
            url, json=body, headers=_auth_headers(), timeout=app_settings.MINDSPHERE_HTTP_TIMEOUT, allow_redirects=False
        )
    except (requests.Timeout, requests.ConnectionError) as error:
        raise ProviderUnavailableError(f"{SERVICE} unreachable: {type(error).__name__}") from None
    if response.status_code in OUTAGE:
        raise ProviderUnavailableError.from_response(response, SERVICE)
    if response.status_code >= 400:
        raise TechnicalTokenRefusedError(response.status_code, error_message(response))
    if response.status_code != 200:
        raise MindSphereAPIError(502, f"The {SERVICE} answered {response.status_code} instead of a token.")
    answer = json_body(response)
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise MindSphereAPIError(502, f"The {SERVICE} answered without an access token.")
    logger.info("Technical token issued for tenant %s", user_tenant)
    return IssuedToken(token, _lifetime(answer, token))


def _setting(name: str) -> str:
    # Empty means the default, as in the emulator's seed_demo.
    return getattr(app_settings, name) or getattr(MindSphereSettings, name)


def _auth_headers() -> dict[str, str]:
    credentials = f"{_setting('MDSP_KEY_STORE_CLIENT_ID')}:{_setting('MDSP_KEY_STORE_CLIENT_SECRET')}"
    return {**_headers(), "X-SPACE-AUTH-KEY": "Basic " + base64.b64encode(credentials.encode()).decode()}


def _lifetime(answer: dict, token: str) -> float:
    """Seconds the token lives: the answer's `expires_in`, else the token's own `exp`, else 30 minutes."""
    expires_in = answer.get("expires_in")
    if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) and math.isfinite(expires_in):
        return max(1.0, float(expires_in))
    try:
        # Only to read how long it lives; the gateway, not the app, judges the token.
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        exp = None
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and math.isfinite(exp):
        return max(1.0, exp - time.time())
    return float(LIFETIME)


# --- the cache: one entry per (gateway, credentials, app, user tenant), the token encrypted ---------


def _key(kind: str, tenant: str) -> str:
    # Other credentials, app versions or gateways (a test's own emulator) never share a token.
    parts = [
        hosts.gateway_base(tenant),
        _setting("MDSP_KEY_STORE_CLIENT_ID"),
        _setting("MDSP_OS_VM_APP_NAME"),
        _setting("MDSP_OS_VM_APP_VERSION"),
        _setting("MDSP_HOST_TENANT"),
        tenant,
    ]
    return f"mindsphere:technical-{kind}:{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()}"


def _lock_seconds() -> int:
    # Longer than one call may take (connect and read timeouts), so a holder that died frees it soon.
    return 2 * app_settings.MINDSPHERE_HTTP_TIMEOUT + 5


def _cached(tenant: str) -> str | None:
    entry = cache.get(_key("token", tenant))
    if not isinstance(entry, dict) or time.time() >= entry.get("renew_at", 0):
        return None
    try:
        return _keyring().decrypt(entry["sealed"].encode()).decode()
    except (InvalidToken, KeyError, AttributeError):
        return None  # sealed with a SECRET_KEY no longer in use: fetch a new one


def _store(tenant: str, issued: IssuedToken) -> None:
    renew_in = issued.lifetime - min(RENEW_BEFORE, issued.lifetime / 2)
    entry = {"sealed": _keyring().encrypt(issued.access_token.encode()).decode(), "renew_at": time.time() + renew_in}
    cache.set(_key("token", tenant), entry, timeout=max(1, math.ceil(renew_in)))


def _keyring() -> MultiFernet:
    # The cache (Redis in production) is shared, not secret: tokens in it are encrypted with a key
    # derived from SECRET_KEY (and its fallbacks), as sso encrypts a person's tokens in the database.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret) for secret in secrets])


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))
