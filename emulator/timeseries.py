"""Deterministic synthetic time series: a value for any asset, variable and minute.

Pure functions with no Django import, so tests can compute the exact values the gateway serves.
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta, timezone

RESOLUTION = timedelta(minutes=1)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _profile(asset_id: str, variable: str) -> tuple[float, float, float, float]:
    digest = hashlib.sha256(f"{asset_id}:{variable}".encode()).digest()
    base = 10 + digest[0] % 90  # 10..99
    amplitude = 1 + digest[1] % 20  # 1..20
    period = 60 + (digest[2] * 256 + digest[3]) % 1380  # 1 h .. 24 h, in minutes
    phase = digest[4] / 255 * period
    return base, amplitude, period, phase


def value_at(asset_id: str, variable: str, moment: datetime) -> float:
    """The value of `variable` of `asset_id` at `moment` (floored to its minute), to 3 decimals."""
    minute = math.floor((moment - EPOCH).total_seconds() / 60)
    return _value(_profile(asset_id, variable), minute)


def values_from(asset_id: str, variable: str, first: datetime, count: int) -> list[float]:
    """`value_at` of `count` minute marks from `first` on (floored), computing the profile once."""
    minute = math.floor((first - EPOCH).total_seconds() / 60)
    profile = _profile(asset_id, variable)
    return [_value(profile, minute + offset) for offset in range(count)]


def _value(profile: tuple[float, float, float, float], minute: int) -> float:
    base, amplitude, period, phase = profile
    wobble = 0.1 * amplitude * math.sin(minute * 0.7)
    return round(base + amplitude * math.sin(2 * math.pi * (minute + phase) / period) + wobble, 3)


def floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def times_between(start_exclusive: datetime, end_inclusive: datetime, *, limit: int, descending: bool = False) -> list[datetime]:
    """Minute marks in (start, end], oldest first (newest first when descending), at most `limit`."""
    first = floor_minute(start_exclusive) + RESOLUTION
    last = floor_minute(end_inclusive)
    if last < first or limit <= 0:
        return []
    count = min(limit, (last - first) // RESOLUTION + 1)
    if descending:
        return [last - RESOLUTION * i for i in range(count)]
    return [first + RESOLUTION * i for i in range(count)]


def format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
