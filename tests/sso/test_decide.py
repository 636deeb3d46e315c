"""The three outcomes of a token check: valid, refresh (inside the leeway or expired), expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine

from sso.models import TokenRecord
from sso.tokens import Outcome, decide, refresh_expiry

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # the access token expires here
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


# --- when the refresh token ends: the server's word first, else the setting ----------------------------


def refresh_jwt(exp: object) -> str:
    return jwt.encode({"jti": "x-r", "exp": exp}, "any key: the app does not verify it", algorithm="HS256")


NOW = T0 - timedelta(hours=1)
JWT_END = NOW + timedelta(hours=3)


@pytest.mark.parametrize(
    ("expires_in", "refresh_token", "expected"),
    [
        (3600, refresh_jwt(int(JWT_END.timestamp())), NOW + timedelta(hours=1)),  # the response wins
        ("3600", "opaque", NOW + timedelta(hours=1)),  # digits as text
        (0, "opaque", NOW),  # the server says it is over
        (None, refresh_jwt(int(JWT_END.timestamp())), JWT_END),  # then the refresh token's exp
        (None, refresh_jwt(JWT_END.timestamp()), JWT_END),
        ("soon", refresh_jwt(int(JWT_END.timestamp())), JWT_END),
        (-5, refresh_jwt(int(JWT_END.timestamp())), JWT_END),
        (True, refresh_jwt(int(JWT_END.timestamp())), JWT_END),
        (float("nan"), refresh_jwt(int(JWT_END.timestamp())), JWT_END),
        (None, "opaque-not-a-jwt", NOW + timedelta(hours=12)),  # then MINDSPHERE_REFRESH_TOKEN_SECONDS
        (None, "", NOW + timedelta(hours=12)),
        (None, refresh_jwt("tomorrow"), NOW + timedelta(hours=12)),
        (None, refresh_jwt(True), NOW + timedelta(hours=12)),
        (None, refresh_jwt(10**20), NOW + timedelta(hours=12)),  # beyond what a date can hold
    ],
)
def test_refresh_expiry_sources_in_order(expires_in, refresh_token, expected):
    assert refresh_expiry(expires_in, refresh_token, NOW) == expected
