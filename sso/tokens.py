"""The token lifecycle: store a sign-in's tokens, decide valid / refresh / expired, refresh once.

API calls use a record through its token source (`RecordTokens`, `api_client`): a gateway client
of the mindsphere package that refreshes the record once on a 401.

A refresh runs for one record at a time across all processes: the record's row is locked
(SELECT ... FOR UPDATE on PostgreSQL; on SQLite every transaction is IMMEDIATE, which takes the
database write lock), and whoever waited re-reads the record and uses the token just stored.
"""

from __future__ import annotations

import enum
import logging
import math
from datetime import UTC, datetime, timedelta

import jwt
import requests
from django.db import transaction
from django.utils import timezone
from oauthlib.oauth2 import InvalidGrantError, OAuth2Error
from requests_oauthlib import OAuth2Session

from mindsphere.api import MindSphereClient
from mindsphere.exceptions import ProviderTimeoutError, ProviderUnavailableError

from . import crypto, roles, tenants
from .app_settings import app_settings
from .client_auth import client_basic_auth
from .exceptions import SignedOutError, TokenVerificationError
from .models import MindSphereIdentity, TokenRecord
from .verification import verify_access_token

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    VALID = "valid"
    REFRESH = "refresh"
    EXPIRED = "expired"


def decide(record: TokenRecord, now: datetime | None = None, leeway: int | None = None) -> Outcome:
    """Valid, refresh or expired: the token check for a record at `now`, refreshing `leeway` seconds early."""
    return decide_expiries(record.access_expires_at, record.refresh_expires_at, now, leeway)


def decide_expiries(
    access_expires_at: datetime, refresh_expires_at: datetime, now: datetime | None = None, leeway: int | None = None
) -> Outcome:
    """`decide` from the two expiries alone (the session check keeps them in the session)."""
    now = now or timezone.now()
    leeway = app_settings.MINDSPHERE_TOKEN_LEEWAY if leeway is None else leeway
    if refresh_expires_at <= now:
        return Outcome.EXPIRED
    if access_expires_at - timedelta(seconds=leeway) > now:
        return Outcome.VALID
    return Outcome.REFRESH


def _from_timestamp(value: int | float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def _number(value: object) -> float | None:
    """A finite number of seconds (JSON number or digits as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, (int, float)) and math.isfinite(value) and value >= 0:
        return value
    return None


def _jwt_expiry(token: str) -> float | None:
    try:
        # Only to read how long it lives: the app never presents the refresh token to anyone but
        # the server that issued it, which checks it.
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None  # opaque, not a JWT
    return _number(claims.get("exp"))


def refresh_expiry(expires_in: object, refresh_token: str, now: datetime | None = None) -> datetime:
    """When the refresh token of a sign-in ends.

    In order: the token response's `refresh_token_expires_in`, the refresh token's own `exp` when it
    is a JWT (MindSphere's are), else MINDSPHERE_REFRESH_TOKEN_SECONDS from now.
    """
    now = now or timezone.now()
    seconds = _number(expires_in)
    if seconds is not None:
        return now + timedelta(seconds=seconds)
    exp = _jwt_expiry(refresh_token) if refresh_token else None
    if exp is not None:
        try:
            return _from_timestamp(exp)
        except (OverflowError, OSError, ValueError):
            pass  # a year beyond what datetime holds
    return now + timedelta(seconds=app_settings.MINDSPHERE_REFRESH_TOKEN_SECONDS)


def store_sign_in(
    *,
    user,
    session_key: str,
    tenant: str,
    access_token: str,
    refresh_token: str,
    refresh_expires_in: object,
    claims: dict,
) -> TokenRecord:
    """A new record for this browser session (other sessions of the same person are untouched).

    `claims` are the verified access token's (sso.verification: `scope` is a list).
    """
    record = TokenRecord(
        user=user,
        session_key=session_key,
        tenant=tenant,
        access_expires_at=_from_timestamp(claims["exp"]),
        refresh_expires_at=refresh_expiry(refresh_expires_in, refresh_token),
        scopes=claims.get("scope", []),
    )
    record.access_token = access_token
    record.refresh_token = refresh_token or ""
    record.save()
    return record


def ensure_fresh(record_id: int | None, *, user_id: int | str | None = None) -> TokenRecord:
    """The record with a usable access token: as is, refreshed, or SignedOutError / ProviderUnavailableError.

    The valid path reads one row and writes nothing; the others go through `refresh`, which
    decides again under the lock. (The session check decides from the session alone first:
    sso.session.check.)
    """
    record = TokenRecord.objects.filter(pk=record_id).first() if record_id else None
    if record is None or (user_id is not None and str(record.user_id) != str(user_id)):
        raise SignedOutError("no MindSphere token record for this session")
    if decide(record) is Outcome.VALID:
        return record
    return refresh(record.pk)


def access_token(record: TokenRecord) -> str:
    """The plain access token of `record`; SignedOutError if no current key can read it."""
    return _plain(record, "access_token")


def _plain(record: TokenRecord, field: str) -> str:
    try:
        return getattr(record, field)
    except crypto.UndecryptableTokenError:
        # SECRET_KEY was rotated without keeping the old one in SECRET_KEY_FALLBACKS.
        record.delete()
        raise SignedOutError("the stored token cannot be decrypted with the current keys") from None


def refresh(record_id: int, *, only_if_token_is: str | None = None) -> TokenRecord:
    """Refresh the record's access token, once across processes.

    Normally the refresh is skipped when a waiter finds the token valid again. A forced refresh
    (after the gateway answered 401) passes the encrypted access token it used: the refresh is
    skipped only if another process has already replaced that token.
    """
    with transaction.atomic():
        record = TokenRecord.objects.select_for_update().filter(pk=record_id).first()
        if record is None:
            raise SignedOutError("the token record was removed (signed out elsewhere)")
        outcome = decide(record)
        if outcome is Outcome.EXPIRED:
            record.delete()
            raise SignedOutError("the refresh token has expired")
        if only_if_token_is is not None:
            if record.access_token_encrypted != only_if_token_is:
                return record
        elif outcome is Outcome.VALID:
            return record
        return _refresh_locked(record)


def _refresh_locked(record: TokenRecord) -> TokenRecord:
    refresh_token = _plain(record, "refresh_token")
    try:
        token = _refresh_grant(record.tenant, refresh_token)
    except SignedOutError:
        record.delete()
        raise
    # Keep a rotated refresh token even if what follows fails: the old one is already dead.
    record.refresh_token = token.get("refresh_token") or refresh_token
    try:
        claims = verify_access_token(token["access_token"], record.tenant)
    except ProviderUnavailableError:
        record.save(update_fields=["refresh_token_encrypted"])
        raise
    except TokenVerificationError as error:
        logger.error("Refreshed access token for tenant %s failed validation: %s", record.tenant, error)
        record.delete()
        raise SignedOutError("the refreshed access token failed validation") from None
    record.access_token = token["access_token"]
    record.access_expires_at = _from_timestamp(claims["exp"])
    record.scopes = claims.get("scope", [])
    record.refreshed_at = timezone.now()
    record.save()
    # The new token says who the person is now: their scopes and their subtenant (MindSphere may have moved them).
    subtenant = claims.get("subtenant") or ""
    roles.sync_roles(record.user, record.scopes, record.tenant, subtenant)
    MindSphereIdentity.objects.filter(user_id=record.user_id).update(
        scopes=record.scopes, subtenant=subtenant, last_seen=record.refreshed_at
    )
    logger.info("Refreshed MindSphere access token for user %s (tenant %s)", record.user_id, record.tenant)
    return record


def _raise_if_unavailable(response: requests.Response) -> requests.Response:
    """requests-oauthlib compliance hook: a 5xx or 429 is an outage, not a refused grant."""
    if response.status_code >= 500 or response.status_code == 429:
        raise ProviderUnavailableError.from_response(response, "token endpoint")
    return response


def _refresh_grant(tenant: str, refresh_token: str) -> dict:
    client_id = app_settings.MINDSPHERE_CLIENT_ID
    session = OAuth2Session(client_id)
    session.register_compliance_hook("refresh_token_response", _raise_if_unavailable)
    try:
        return session.refresh_token(
            tenants.token_url(tenant),
            refresh_token=refresh_token,
            auth=client_basic_auth(),
            timeout=app_settings.MINDSPHERE_HTTP_TIMEOUT,
        )
    except InvalidGrantError:
        raise SignedOutError("MindSphere refused the refresh token") from None
    except OAuth2Error as error:
        logger.error("Refresh for tenant %s refused: %s", tenant, error.error)
        raise SignedOutError(f"MindSphere refused the refresh: {error.error}") from None
    except requests.ConnectionError as error:
        raise ProviderUnavailableError(f"token endpoint unreachable: {type(error).__name__}") from None
    except requests.Timeout as error:  # connected, but no answer in time
        raise ProviderTimeoutError(f"token endpoint took too long: {type(error).__name__}") from None
    except ValueError as error:  # a body that is not a token response (e.g. a proxy's HTML page)
        raise ProviderUnavailableError(f"unexpected token response: {type(error).__name__}") from None
    finally:
        session.close()


def delete_records(user, *, everywhere: bool, only: int | None = None) -> list[str]:
    """Delete the record `only` (this session's), or all of the person's; the session keys they belonged to."""
    records = TokenRecord.objects.filter(user=user)
    if not everywhere:
        records = records.filter(pk=only) if only is not None else records.none()
    keys = list(records.values_list("session_key", flat=True))
    records.delete()
    return keys


class RecordTokens:
    """The token source (mindsphere.gateway.TokenSource) of a signed-in person: their record's access token.

    On a 401 of the gateway the token may have been revoked or rotated early: `renew` forces one
    refresh, single-flight with every other process (`refresh`), and the call is repeated once.
    """

    def __init__(self, record: TokenRecord) -> None:
        self.record = record

    def access_token(self) -> str:
        return access_token(self.record)

    def renew(self) -> bool:
        self.record = refresh(self.record.pk, only_if_token_is=self.record.access_token_encrypted)
        return True


def api_client(record: TokenRecord) -> MindSphereClient:
    """A client of MindSphere's APIs that calls the tenant's gateway as the person whose record this is."""
    return MindSphereClient(RecordTokens(record), record.tenant)
