"""Moving token records' expiries in tests: in the database and in the copy their sessions keep.

The session check decides from the expiries kept in the session (sso.session), so a test that
moves a record's expiry with an UPDATE moves that copy too, as a refresh or the clock would.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from sso.models import TokenRecord
from sso.session import SESSION_EXPIRIES_KEY


def set_expiries(
    records: Iterable[TokenRecord] | None = None, *, access: datetime | None = None, refresh: datetime | None = None
) -> None:
    """Set the access and/or refresh expiry of these records (all when None) and of their sessions."""
    fields = {name: value for name, value in (("access_expires_at", access), ("refresh_expires_at", refresh)) if value}
    for record in list(TokenRecord.objects.all() if records is None else records):
        TokenRecord.objects.filter(pk=record.pk).update(**fields)
        record.refresh_from_db()
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=record.session_key)
        store.get(SESSION_EXPIRIES_KEY)  # loads it; a session that is gone has no key afterwards
        if store.session_key is not None:
            store[SESSION_EXPIRIES_KEY] = [record.access_expires_at.timestamp(), record.refresh_expires_at.timestamp()]
            store.save()


def expire_access_token(*records: TokenRecord) -> None:
    """The access token(s) expired a second ago (all records when none are given)."""
    set_expiries(records or None, access=timezone.now() - timedelta(seconds=1))


def expire_refresh_token(*records: TokenRecord) -> None:
    """The refresh token(s) expired a second ago: the session is over (all records when none are given)."""
    set_expiries(records or None, refresh=timezone.now() - timedelta(seconds=1))
