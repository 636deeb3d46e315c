"""Strict validation of MindSphere access tokens, bound to the tenant the person chose."""

from __future__ import annotations

import math

import jwt

from . import keys, tenants
from .app_settings import app_settings
from .exceptions import TokenVerificationError

REQUIRED_CLAIMS = ("user_id", "email", "ten")
OPTIONAL_STRINGS = ("subtenant", "client_id")
# The longest values the app stores (sso.models): a longer one is refused, not cut.
MAX_LENGTHS = {"user_id": 100, "email": 254, "ten": 63, "subtenant": 63}


def clear_key_cache() -> None:
    """Forget every cached key set (tests; after changing MINDSPHERE_AUTH_URL)."""
    keys.forget()


def verify_access_token(token: str, tenant: str) -> dict:
    """The token's claims if it is a valid RS256 token of `tenant` for this app.

    TokenVerificationError when it is not; ProviderUnavailableError when the keys can't be fetched.
    The `scope` claim comes back as a list, whether the token has an array or a string.
    """
    claims = _verified_claims(token, tenant)
    _check_client(claims)
    return claims


def unverified_tenant(token: str) -> str:
    """The `ten` claim of a token not verified yet: only to choose whose keys and issuer verify it."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise TokenVerificationError(f"malformed token: {type(error).__name__}") from None
    tenant = claims.get("ten") if isinstance(claims, dict) else None
    if not isinstance(tenant, str):
        raise TokenVerificationError("missing claims: ten")
    try:
        return tenants.clean_tenant(tenant)
    except tenants.InvalidTenantError:
        raise TokenVerificationError("claim ten is not a tenant of this app") from None


def verify_gateway_token(token: str) -> dict:
    """The claims of a bearer token MindSphere's gateway sent, if it is valid for the tenant it names.

    The gateway's token was issued to the gateway's own client, not to the app (design.md section
    10; which client id it names is unsourced), so its client is not checked here: sso.bearer
    checks that it carries one of this app's scopes. TokenVerificationError when it is not valid.
    """
    return _verified_claims(token, unverified_tenant(token))


def _verified_claims(token: str, tenant: str) -> dict:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TokenVerificationError(f"malformed token: {type(error).__name__}") from None
    if header.get("alg") != "RS256":
        raise TokenVerificationError(f"algorithm {header.get('alg')!r} is not allowed")
    key = keys.signing_key(tenant, header.get("kid") or "")  # TokenVerificationError / ProviderUnavailableError
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
    return {**claims, "scope": scope_list(claims.get("scope"))}


def scope_list(value: object) -> list[str]:
    """The scope claim as a list: a JSON array (MindSphere) or a space-separated string (RFC 9068)."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise TokenVerificationError("scope claim is neither a list of strings nor a string")


def _check_claims(claims: dict, tenant: str) -> None:
    missing = [name for name in REQUIRED_CLAIMS if claims.get(name) in (None, "")]
    if missing:
        raise TokenVerificationError(f"missing claims: {', '.join(missing)}")
    _check_types(claims)
    if claims["ten"] != tenant:
        raise TokenVerificationError("token belongs to another tenant")


def _check_client(claims: dict) -> None:
    client_id = app_settings.MINDSPHERE_CLIENT_ID
    audience = claims.get("aud") or []
    if isinstance(audience, str):
        audience = [audience]
    if claims.get("client_id") != client_id and client_id not in audience:
        raise TokenVerificationError("token was issued to another client")


def _check_types(claims: dict) -> None:
    # PyJWT reads exp and iat with int(), which takes "1800000000" and True as well.
    for name in ("exp", "iat"):
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TokenVerificationError(f"claim {name} is not a number")
    for name in REQUIRED_CLAIMS:
        if not isinstance(claims[name], str) or not claims[name].strip():
            raise TokenVerificationError(f"claim {name} is not a non-empty string")
    for name in OPTIONAL_STRINGS:
        if claims.get(name) is not None and not isinstance(claims[name], str):
            raise TokenVerificationError(f"claim {name} is not a string")
    for name, longest in MAX_LENGTHS.items():
        if len(claims.get(name) or "") > longest:
            raise TokenVerificationError(f"claim {name} is too long")
    audience = claims.get("aud")
    if audience is not None and not isinstance(audience, str):  # noqa: SIM102
        if not isinstance(audience, list) or not all(isinstance(item, str) for item in audience):
            raise TokenVerificationError("claim aud is neither a string nor a list of strings")
