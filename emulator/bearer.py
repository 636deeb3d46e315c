"""Bearer-token checks at the emulator's gateway, as MindSphere's gateway does them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import jwt
from django.http import HttpRequest

from .keys import public_pem
from .models import Application, SigningKey, Tenant
from .tokens import is_refresh_token


class GatewayAuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def authenticate(request: HttpRequest) -> tuple[Tenant, dict]:
    """The tenant and claims of a valid bearer token; GatewayAuthError (401 or 403) otherwise.

    A person's token (with `user_id`) and a technical token of the Token Management Service
    (`grant_type: client_credentials`, no person) are accepted alike, each for its own tenant.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GatewayAuthError(401, "Full authentication is required to access this resource: no bearer token.")
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        raise GatewayAuthError(401, "The access token is malformed.") from None
    key = SigningKey.objects.select_related("tenant").filter(kid=kid).first() if isinstance(kid, str) else None
    if key is None:
        raise GatewayAuthError(401, "The access token was not signed by a known key.")
    try:
        claims = jwt.decode(
            token,
            public_pem(key),
            algorithms=["RS256"],
            options={"require": ["exp", "iat", "iss", "ten"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError:
        raise GatewayAuthError(401, "The access token has expired.") from None
    except jwt.PyJWTError:
        raise GatewayAuthError(401, "The access token is invalid.") from None
    if is_refresh_token(claims):
        raise GatewayAuthError(401, "A refresh token is not an access token.")
    if not _names_its_bearer(claims):
        raise GatewayAuthError(401, "The access token is invalid.")
    if not _issued_for(claims["iss"], key.tenant):
        raise GatewayAuthError(401, "The access token was not issued by its tenant.")
    if claims["ten"] != key.tenant.name:
        raise GatewayAuthError(401, "The access token's tenant does not match its signing key.")
    if not _has_app_scope(claims.get("scope")):
        raise GatewayAuthError(403, "The access token carries no application scope.")
    return key.tenant, claims


def _issued_for(issuer: object, tenant: Tenant) -> bool:
    # Only the path is compared: the token may have been fetched under another host name of this
    # server (localhost vs 127.0.0.1), as MindSphere's gateway accepts tokens of {tenant}.piam.
    # The region, when the token was fetched under one (emulator.regions), may be any.
    if not isinstance(issuer, str):
        return False
    path = urlsplit(issuer).path
    return path == f"/{tenant.name}/oauth/token" or bool(
        re.fullmatch(rf"/[a-z]+[0-9]+/{re.escape(tenant.name)}/oauth/token", path)
    )


def _names_its_bearer(claims: dict) -> bool:
    """A person's token names the person; a technical one (no person) the app's client."""
    if claims.get("grant_type") == "client_credentials":
        return "user_id" not in claims and isinstance(claims.get("client_id"), str)
    return "user_id" in claims


def _has_app_scope(scopes: object) -> bool:
    if isinstance(scopes, str):  # EMULATOR_SCOPE_AS_STRING: space-separated, as RFC 9068 has it
        scopes = scopes.split()
    if not isinstance(scopes, list):
        return False
    apps = {name.lower() for name in Application.objects.values_list("name", flat=True)}
    for scope in scopes:
        if not isinstance(scope, str):
            continue
        bare = scope.rsplit(":", 1)[-1].lower()  # mdsp:{tenant}:{app}.{scope} -> {app}.{scope}
        if bare.partition(".")[0] in apps and "." in bare:
            return True
    return False
