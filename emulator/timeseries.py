"""Deterministic synthetic time series: a value and a quality code for any asset, variable and moment.

Pure functions with no Django import, so tests can compute the exact values the gateway serves.
Most aspects record once a minute; an aspect may record more often (`step`, e.g. every second),
and then its values are the same smooth curve sampled more densely.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

RESOLUTION = timedelta(minutes=1)  # the default step between records
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE_SECONDS = 60.0

# OPC UA status codes (OPC UA Part 4, StatusCode): the two top bits are the severity,
# 00 good, 01 uncertain, 10 bad. The codes the emulator sends in `{variable}_qc`:
GOOD = 0
UNCERTAIN = 0x40920000  # UncertainSubNormal
BAD = 0x80000000  # Bad (no more specific reason)
# Within every 6 hours (from a per-variable offset): 15 bad minutes, then 2 good hours, 10 uncertain minutes.
QUALITY_PERIOD = 360
BAD_MINUTES = range(0, 15)
UNCERTAIN_MINUTES = range(135, 145)


def _digest(asset_id: str, variable: str) -> bytes:
    return hashlib.sha256(f"{asset_id}:{variable}".encode()).digest()


def _profile(asset_id: str, variable: str) -> tuple[float, float, float, float]:
    digest = _digest(asset_id, variable)
    base = 10 + digest[0] % 90  # 10..99
    amplitude = 1 + digest[1] % 20  # 1..20
    period = 60 + (digest[2] * 256 + digest[3]) % 1380  # 1 h .. 24 h, in minutes
    phase = digest[4] / 255 * period
    return base, amplitude, period, phase


def floor_to(moment: datetime, step: timedelta = RESOLUTION) -> datetime:
    """`moment` floored to a whole step since 1970 (a minute, a second)."""
    return moment - (moment - EPOCH) % step


def _minutes(moment: datetime, step: timedelta) -> float:
    """Minutes since 1970 of the step `moment` falls in (a whole number for one-minute steps)."""
    steps = (moment - EPOCH) // step
    return steps * step.total_seconds() / MINUTE_SECONDS if step != RESOLUTION else float(steps)


def value_at(asset_id: str, variable: str, moment: datetime, step: timedelta = RESOLUTION) -> float:
    """The value of `variable` of `asset_id` at `moment` (floored to its step), to 3 decimals."""
    return values_from(asset_id, variable, moment, 1, step)[0]


def values_from(asset_id: str, variable: str, first: datetime, count: int, step: timedelta = RESOLUTION) -> list[float]:
    """The values of `count` marks from `first` on (floored), one step apart, computing the profile once."""
    start = _minutes(first, step)
    per_step = step.total_seconds() / MINUTE_SECONDS
    base, amplitude, period, phase = _profile(asset_id, variable)
    # One smooth curve plus a small wobble, to 3 decimals. Written as one comprehension with local
    # names: a month of 1 Hz records is 2.6 million values.
    sin, two_pi, wobble = math.sin, 2 * math.pi, 0.1 * amplitude
    minutes = (start + offset * per_step for offset in range(count))
    return [
        round(base + amplitude * sin(two_pi * (minute + phase) / period) + wobble * sin(minute * 0.7), 3)
        for minute in minutes
    ]


def quality_at(asset_id: str, variable: str, moment: datetime) -> int:
    """The quality code of a variable that has one: a few bad and uncertain stretches every 6 hours."""
    offset = int.from_bytes(_digest(asset_id, variable)[5:7], "big") % QUALITY_PERIOD
    minute = (math.floor((moment - EPOCH).total_seconds() / MINUTE_SECONDS) + offset) % QUALITY_PERIOD
    if minute in BAD_MINUTES:
        return BAD
    if minute in UNCERTAIN_MINUTES:
        return UNCERTAIN
    return GOOD


def severity(code: int) -> str:
    """ "good", "uncertain" or "bad" (OPC UA: the top two bits; 11 is reserved and counted as bad)."""
    return ("good", "uncertain", "bad", "bad")[(code >> 30) & 3]


def times_between(
    start_exclusive: datetime,
    end_inclusive: datetime,
    *,
    limit: int,
    descending: bool = False,
    step: timedelta = RESOLUTION,
) -> list[datetime]:
    """Marks one step apart in (start, end], oldest first (newest first when descending), at most `limit`."""
    first = floor_to(start_exclusive, step) + step
    last = floor_to(end_inclusive, step)
    if last < first or limit <= 0:
        return []
    count = min(limit, (last - first) // step + 1)
    if descending:
        return [last - step * i for i in range(count)]
    return [first + step * i for i in range(count)]


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
