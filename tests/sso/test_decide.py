"""The three outcomes of a token check: valid, refresh (inside the leeway or expired), expired."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from sso.models import TokenRecord
from sso.tokens import Outcome, decide

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)  # the access token expires here
REFRESH_END = T0 + timedelta(hours=11)


def record(access_expires_at=T0, refresh_expires_at=REFRESH_END) -> TokenRecord:
    return TokenRecord(access_expires_at=access_expires_at, refresh_expires_at=refresh_expires_at)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("now", "leeway", "expected"),
    [
        (at(-3600), None, Outcome.VALID),
        (at(-121), None, Outcome.VALID),
        (at(-120), None, Outcome.REFRESH),  # default leeway 120 s
        (at(-60), None, Outcome.REFRESH),
        (at(0), None, Outcome.REFRESH),
        (at(3600), None, Outcome.REFRESH),
        (at(-301), 300, Outcome.VALID),
        (at(-300), 300, Outcome.REFRESH),
        (at(-1), 0, Outcome.VALID),
        (at(0), 0, Outcome.REFRESH),
        (REFRESH_END - timedelta(seconds=1), None, Outcome.REFRESH),
        (REFRESH_END, None, Outcome.EXPIRED),
        (REFRESH_END + timedelta(days=1), None, Outcome.EXPIRED),
    ],
)
def test_decide_with_explicit_now(now, leeway, expected):
    assert decide(record(), now=now, leeway=leeway) is expected


def test_expired_refresh_wins_over_a_valid_access_token():
    still_valid_access = record(access_expires_at=at(3600), refresh_expires_at=at(60))
    assert decide(still_valid_access, now=at(60)) is Outcome.EXPIRED
    assert decide(still_valid_access, now=at(59)) is Outcome.VALID


def test_leeway_comes_from_settings(settings):
    settings.MINDSPHERE_TOKEN_LEEWAY = 600
    assert decide(record(), now=at(-601)) is Outcome.VALID
    assert decide(record(), now=at(-599)) is Outcome.REFRESH


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-3600, Outcome.VALID), (-119, Outcome.REFRESH), (30, Outcome.REFRESH), (11 * 3600, Outcome.EXPIRED)],
)
def test_decide_uses_the_clock(offset, expected):
    with time_machine.travel(at(offset), tick=False):
        assert decide(record()) is expected


def test_decide_as_time_passes():
    with time_machine.travel(at(-600), tick=False) as traveller:
        current = record()
        assert decide(current) is Outcome.VALID
        traveller.shift(timedelta(seconds=490))  # 110 s before expiry: inside the leeway
        assert decide(current) is Outcome.REFRESH
        traveller.move_to(REFRESH_END)
        assert decide(current) is Outcome.EXPIRED
