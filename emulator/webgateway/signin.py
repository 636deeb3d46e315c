"""The gateway as an OAuth client of the emulator's sign-in service (requests-oauthlib).

Authorization code with PKCE (S256) to sign a person in; the refresh grant shortly before the
access token expires, as MindSphere's gateway refreshes the token it forwards. The client
authenticates with HTTP Basic, both parts form-urlencoded first (RFC 6749, section 2.3.1).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import quote_plus

import jwt
import requests
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from oauthlib.oauth2 import InvalidGrantError, OAuth2Error, WebApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from . import sessions

logger = logging.getLogger(__name__)

TIMEOUT = 10  # seconds for a call to the sign-in service
# Refresh when less than this is left, or half the token's lifetime when that is shorter.
REFRESH_BEFORE_SECONDS = 60
# What a failed token call raises: the service's refusal, no answer, or an answer that is not a token.
CALL_ERRORS = (OAuth2Error, requests.RequestException, ValueError)


class SignInOver(Exception):
    """The sign-in service refused the refresh (invalid_grant) or the session is gone: sign in again."""


class SignInUnavailable(Exception):
    """The access token has expired and the sign-in service gave no new one; try again later."""


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str
    code_verifier: str


def tenant_url(tenant: str) -> str:
    return f"{settings.EMULATOR_URL}/{tenant}"


def authorization(tenant: str, redirect_uri: str) -> Authorization:
    """Where to send the browser to sign in, with a fresh state and PKCE verifier."""
    client = WebApplicationClient(settings.EMULATOR_GATEWAY_CLIENT_ID)
    verifier = client.create_code_verifier(64)
    oauth = OAuth2Session(settings.EMULATOR_GATEWAY_CLIENT_ID, redirect_uri=redirect_uri)
    url, state = oauth.authorization_url(
        f"{tenant_url(tenant)}/oauth/authorize",
        code_challenge=client.create_code_challenge(verifier, "S256"),
        code_challenge_method="S256",
    )
    return Authorization(url=url, state=state, code_verifier=verifier)


def exchange(tenant: str, redirect_uri: str, code: str, code_verifier: str) -> dict:
    """The token response for an authorization code; raises one of CALL_ERRORS on failure."""
    oauth = OAuth2Session(settings.EMULATOR_GATEWAY_CLIENT_ID, redirect_uri=redirect_uri)
    token = oauth.fetch_token(
        f"{tenant_url(tenant)}/oauth/token",
        code=code,
        code_verifier=code_verifier,
        auth=_client_auth(),
        include_client_id=False,
        timeout=TIMEOUT,
    )
    return stored_token(token)


def _client_auth() -> HTTPBasicAuth:
    return HTTPBasicAuth(
        quote_plus(settings.EMULATOR_GATEWAY_CLIENT_ID), quote_plus(settings.EMULATOR_GATEWAY_CLIENT_SECRET)
    )


def stored_token(token: dict, previous: dict | None = None) -> dict:
    """What the session keeps of a token response (a refresh without rotation keeps the old refresh token).

    The expiry is the token's own `exp` when it has one: `expires_in` counts from a moment a little later.
    """
    lifetime = int(token.get("expires_in") or 0)
    expires_at = time.time() + lifetime
    exp = _claims(token["access_token"]).get("exp")
    if isinstance(exp, int | float):
        expires_at = min(expires_at, exp)
    return {
        "access_token": token["access_token"],
        "refresh_token": token.get("refresh_token") or (previous or {}).get("refresh_token"),
        "expires_at": expires_at,
        "lifetime": lifetime,
    }


def _claims(access_token: str) -> dict:
    # Not verified: the token came straight from the sign-in service's token endpoint.
    try:
        return jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}


def person(token: dict) -> dict:
    """Who signed in, from the access token's claims."""
    claims = _claims(token["access_token"])
    return {"user_id": claims.get("user_id"), "email": claims.get("email"), "name": claims.get("user_name")}


def access_token(session_key: str) -> str:
    """The session's access token, refreshed first when it expires soon; SignInOver or SignInUnavailable."""
    with sessions.locked(session_key) as store:
        token = store.get("token")
        if token is None:
            raise SignInOver("the session has ended")
        if token["expires_at"] - time.time() > _refresh_before(token):
            return token["access_token"]
        fresh = _refreshed(store["tenant"], token)
        if fresh is not token:
            store["token"] = fresh
            try:
                store.save()
            except UpdateError as error:  # signed out meanwhile
                raise SignInOver("the session has ended") from error
        return fresh["access_token"]


def _refreshed(tenant: str, token: dict) -> dict:
    """A refreshed token; the same one while it is still valid and the sign-in service gives none."""
    try:
        fresh = _refresh(tenant, token)
    except InvalidGrantError as error:
        logger.info("Refresh refused for a session of tenant %s: signing in again", tenant)
        raise SignInOver("the sign-in service refused the refresh token") from error
    except CALL_ERRORS as error:
        logger.warning("Refresh failed for a session of tenant %s: %s", tenant, type(error).__name__)
        if token["expires_at"] > time.time():
            return token  # the next request tries again
        raise SignInUnavailable(str(error)) from error
    logger.info("Refreshed the access token of a session of tenant %s", tenant)
    return fresh


def _refresh_before(token: dict) -> float:
    return min(REFRESH_BEFORE_SECONDS, token["lifetime"] / 2)


def _refresh(tenant: str, token: dict) -> dict:
    oauth = OAuth2Session(settings.EMULATOR_GATEWAY_CLIENT_ID)
    response = oauth.refresh_token(
        f"{tenant_url(tenant)}/oauth/token",
        refresh_token=token["refresh_token"],
        auth=_client_auth(),
        timeout=TIMEOUT,
    )
    return stored_token(response, token)
