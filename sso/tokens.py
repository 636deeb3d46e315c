"""The token lifecycle: store a sign-in's tokens, decide valid / refresh / expired, refresh once.

A refresh runs for one record at a time across all processes: the record's row is locked
(SELECT ... FOR UPDATE on PostgreSQL; on SQLite every transaction is IMMEDIATE, which takes the
database write lock), and whoever waited re-reads the record and uses the token just stored.
"""
from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta, timezone as dt_timezone

import requests
from django.db import transaction
from django.utils import timezone
from oauthlib.oauth2 import InvalidGrantError, OAuth2Error
from requests_oauthlib import OAuth2Session

from . import conf, roles, tenants
from .exceptions import ProviderUnavailableError, SignedOutError, TokenVerificationError
from .models import MindSphereIdentity, TokenRecord
from .verification import verify_access_token

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    VALID = "valid"
    REFRESH = "refresh"
    EXPIRED = "expired"


def decide(record: TokenRecord, now: datetime | None = None, leeway: int | None = None) -> Outcome:
    """The seed's three outcomes for a record at `now`, refreshing `leeway` seconds early."""
    now = now or timezone.now()
    leeway = conf.get("MINDSPHERE_TOKEN_LEEWAY") if leeway is None else leeway
    if record.refresh_expires_at <= now:
        return Outcome.EXPIRED
    if record.access_expires_at - timedelta(seconds=leeway) > now:
        return Outcome.VALID
    return Outcome.REFRESH


def _from_timestamp(value: int | float) -> datetime:
    return datetime.fromtimestamp(value, tz=dt_timezone.utc)


def store_sign_in(*, user, session_key: str, tenant: str, token: dict, claims: dict) -> TokenRecord:
    """A new record for this browser session (other sessions of the same person are untouched)."""
    now = timezone.now()
    refresh_seconds = token.get("refresh_token_expires_in") or conf.get("MINDSPHERE_REFRESH_TOKEN_SECONDS")
    record = TokenRecord(
        user=user,
        session_key=session_key,
        tenant=tenant,
        access_expires_at=_from_timestamp(claims["exp"]),
        refresh_expires_at=now + timedelta(seconds=int(refresh_seconds)),
        scopes=claims.get("scope", []),
    )
    record.access_token = token["access_token"]
    record.refresh_token = token.get("refresh_token") or ""
    record.save()
    return record


def ensure_fresh(record_id: int | None, *, user_id: int | None = None) -> TokenRecord:
    """The record with a usable access token: as is, refreshed, or SignedOutError / ProviderUnavailableError."""
    record = TokenRecord.objects.filter(pk=record_id).first() if record_id else None
    if record is None or (user_id is not None and record.user_id != user_id):
        raise SignedOutError("no MindSphere token record for this session")
    outcome = decide(record)
    if outcome is Outcome.VALID:
        return record
    if outcome is Outcome.EXPIRED:
        record.delete()
        raise SignedOutError("the refresh token has expired")
    return refresh(record.pk)


def refresh(record_id: int, *, unless_changed_from: str | None = None) -> TokenRecord:
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
        if unless_changed_from is not None:
            if record.access_token_encrypted != unless_changed_from:
                return record
        elif outcome is Outcome.VALID:
            return record
        return _refresh_locked(record)


def _refresh_locked(record: TokenRecord) -> TokenRecord:
    try:
        refresh_token = record.refresh_token
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
    roles.sync_roles(record.user, record.scopes)
    MindSphereIdentity.objects.filter(user_id=record.user_id).update(scopes=record.scopes, last_seen=record.refreshed_at)
    logger.info("Refreshed MindSphere access token for user %s (tenant %s)", record.user_id, record.tenant)
    return record


def _raise_if_unavailable(response: requests.Response) -> requests.Response:
    """requests-oauthlib compliance hook: a 5xx or 429 is an outage, not a refused grant."""
    if response.status_code >= 500 or response.status_code == 429:
        retry_after = response.headers.get("Retry-After", "")
        raise ProviderUnavailableError(
            f"token endpoint answered {response.status_code}",
            retry_after=int(retry_after) if retry_after.isdigit() else None,
        )
    return response


def _refresh_grant(tenant: str, refresh_token: str) -> dict:
    client_id = conf.get("MINDSPHERE_CLIENT_ID")
    session = OAuth2Session(client_id)
    session.register_compliance_hook("refresh_token_response", _raise_if_unavailable)
    try:
        return session.refresh_token(
            tenants.token_url(tenant),
            refresh_token=refresh_token,
            auth=(client_id, conf.get("MINDSPHERE_CLIENT_SECRET")),
            timeout=conf.get("MINDSPHERE_HTTP_TIMEOUT"),
        )
    except InvalidGrantError:
        raise SignedOutError("MindSphere refused the refresh token") from None
    except OAuth2Error as error:
        logger.error("Refresh for tenant %s refused: %s", tenant, error.error)
        raise SignedOutError(f"MindSphere refused the refresh: {error.error}") from None
    except (requests.Timeout, requests.ConnectionError) as error:
        raise ProviderUnavailableError(f"token endpoint unreachable: {type(error).__name__}") from None
    except ValueError as error:  # a body that is not a token response (e.g. a proxy's HTML page)
        raise ProviderUnavailableError(f"unexpected token response: {type(error).__name__}") from None
    finally:
        session.close()


def delete_records(user, *, everywhere: bool, record_id: int | None = None) -> list[str]:
    """Delete this session's record, or all of the person's; the session keys they belonged to."""
    records = TokenRecord.objects.filter(user=user)
    if not everywhere:
        records = records.filter(pk=record_id)
    keys = list(records.values_list("session_key", flat=True))
    records.delete()
    return keys
