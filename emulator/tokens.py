"""Tokens as MindSphere issues them: access and refresh tokens are RS256 JWTs signed with the tenant's key."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import datetime

import jwt
from django.conf import settings
from django.http import HttpRequest

from .keys import current_signing_key, private_key
from .models import AppCredential, Application, Tenant, TenantUser
from .regions import prefix


def issuer(request: HttpRequest, tenant: Tenant | str) -> str:
    """`{this server}[/{region}]/{tenant}/oauth/token`, the way the app builds it from MINDSPHERE_AUTH_URL."""
    return request.build_absolute_uri(f"{prefix(request)}/{tenant}/oauth/token")


def access_token(
    *, request: HttpRequest, tenant: Tenant, user: TenantUser, application: Application, lifetime: int, grant_type: str
) -> str:
    now = int(time.time())
    claims = {
        "jti": uuid.uuid4().hex,
        "sub": str(user.user_id),
        "user_id": str(user.user_id),
        "user_name": user.email,
        "email": user.email,
        "ten": tenant.name,
        "zid": tenant.name,
        "scope": " ".join(user.scope_claim()) if settings.EMULATOR_SCOPE_AS_STRING else user.scope_claim(),
        "client_id": application.client_id,
        "cid": application.client_id,
        "aud": [application.client_id],
        "iss": issuer(request, tenant),
        "iat": now,
        "exp": now + lifetime,
        "cat": "user-token:cat-mobile",
        "grant_type": grant_type,
        "origin": "emulator",
    }
    if user.subtenant:
        claims["subtenant"] = user.subtenant
    return _signed(claims, tenant)


def technical_token(
    *, request: HttpRequest, tenant: Tenant, credential: AppCredential, lifetime: int
) -> tuple[str, dict]:
    """A technical token of the Token Management Service and its claims: the app's, for the user tenant, no person.

    Claims as in Siemens' sample (`sub`, `client_id`, `cid`, `azp` = the credentials' client id,
    `grant_type: client_credentials`, `scope` an array), signed with the user tenant's key.
    """
    now = int(time.time())
    scopes = credential.scope_claim()
    claims = {
        "jti": uuid.uuid4().hex,
        "sub": credential.client_id,
        "scope": " ".join(scopes) if settings.EMULATOR_SCOPE_AS_STRING else scopes,
        "client_id": credential.client_id,
        "cid": credential.client_id,
        "azp": credential.client_id,
        "grant_type": "client_credentials",
        "ten": tenant.name,
        "zid": tenant.name,
        "aud": [credential.client_id],
        "iss": issuer(request, tenant),
        "iat": now,
        "exp": now + lifetime,
    }
    return _signed(claims, tenant), claims


def refresh_token(
    *, request: HttpRequest, tenant: Tenant, user: TenantUser, application: Application, expires_at: datetime
) -> str:
    """A refresh token as UAA makes them: a JWT (jti ending in "-r") that ends with its sign-in.

    Only its hash is stored; the gateway refuses it as a bearer token.
    """
    if settings.EMULATOR_OPAQUE_REFRESH_TOKENS:
        return opaque_token()
    claims = {
        "jti": f"{uuid.uuid4().hex}-r",
        "sub": str(user.user_id),
        "user_id": str(user.user_id),
        "ten": tenant.name,
        "zid": tenant.name,
        "client_id": application.client_id,
        "cid": application.client_id,
        "aud": [application.client_id],
        "iss": issuer(request, tenant),
        "iat": int(time.time()),
        "exp": int(expires_at.timestamp()),
        "grant_type": "refresh_token",
    }
    return _signed(claims, tenant)


def is_refresh_token(claims: dict) -> bool:
    return str(claims.get("jti", "")).endswith("-r")


def _signed(claims: dict, tenant: Tenant) -> str:
    key = current_signing_key(tenant)
    return jwt.encode(claims, private_key(key), algorithm="RS256", headers={"kid": key.kid})


def opaque_token() -> str:
    return secrets.token_urlsafe(48)
