"""Strict validation of MindSphere access tokens, bound to the tenant the person chose."""
from __future__ import annotations

import threading

import jwt

from . import tenants
from .app_settings import app_settings
from .exceptions import ProviderUnavailableError, TokenVerificationError

REQUIRED_CLAIMS = ("user_id", "email", "ten")
_clients: dict[str, jwt.PyJWKClient] = {}
_clients_lock = threading.Lock()


def jwk_client(tenant: str) -> jwt.PyJWKClient:
    """The cached key set of a tenant; PyJWKClient fetches it again once when a kid is unknown."""
    url = tenants.keys_url(tenant)
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = jwt.PyJWKClient(
                url,
                cache_jwk_set=True,
                lifespan=app_settings.MINDSPHERE_KEYS_CACHE_SECONDS,
                timeout=app_settings.MINDSPHERE_HTTP_TIMEOUT,
                # PyJWT >= 2.14 skips the re-fetch for 30 s after any fetch, so a key rotated in
                # just then would sign people out. Verified tokens come only from the token
                # endpoint, never from browsers, so there is no flood of unknown kids to guard against.
                cooldown_duration=0,
            )
            _clients[url] = client
        return client


def clear_key_cache() -> None:
    with _clients_lock:
        _clients.clear()


def verify_access_token(token: str, tenant: str) -> dict:
    """The token's claims if it is a valid RS256 token of `tenant` for this app.

    TokenVerificationError when it is not; ProviderUnavailableError when the keys can't be fetched.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TokenVerificationError(f"malformed token: {type(error).__name__}") from None
    if header.get("alg") != "RS256":
        raise TokenVerificationError(f"algorithm {header.get('alg')!r} is not allowed")
    try:
        key = jwk_client(tenant).get_signing_key(header.get("kid") or "")
    except (jwt.PyJWKClientConnectionError, ValueError):
        # ValueError: a body that is not JSON (e.g. a proxy's page) is an outage, like a 5xx.
        raise ProviderUnavailableError("the tenant's signing keys could not be fetched") from None
    except jwt.PyJWKClientError:
        raise TokenVerificationError("signed with a key the tenant does not publish") from None
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=tenants.issuer(tenant),
            leeway=app_settings.MINDSPHERE_CLOCK_SKEW,
            options={"require": ["exp", "iat", "iss"], "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise TokenVerificationError(f"{type(error).__name__}: {error}") from None
    _check_claims(claims, tenant)
    return claims


def _check_claims(claims: dict, tenant: str) -> None:
    missing = [name for name in REQUIRED_CLAIMS if not claims.get(name)]
    if missing:
        raise TokenVerificationError(f"missing claims: {', '.join(missing)}")
    if claims["ten"] != tenant:
        raise TokenVerificationError("token belongs to another tenant")
    client_id = app_settings.MINDSPHERE_CLIENT_ID
    audience = claims.get("aud") or []
    if isinstance(audience, str):
        audience = [audience]
    if claims.get("client_id") != client_id and client_id not in audience:
        raise TokenVerificationError("token was issued to another client")
    if not isinstance(claims.get("scope", []), list):
        raise TokenVerificationError("scope claim is not a list")
