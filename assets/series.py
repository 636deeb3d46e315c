"""What the asset page charts: the last 24 hours from the raw series, longer ranges from aggregates.

A day at one-minute resolution is one IoT Time Series call (1440 records), bucketed here into
5-minute means. Longer ranges ask IoT Time Series Aggregates for whole intervals of its grid, in
one call of at most ~200 intervals: 7 days in hours (168 points), 30 days in 4 hours (180), each
with the interval's mean and its minimum and maximum (the band around the line).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sso.client import AGGREGATES_MAX_INTERVALS, parse_time

from .downsample import MAX_POINTS, bucket_means, bucket_width

RAW_LIMIT = timedelta(days=1)  # up to a day, one raw call is enough; beyond it, aggregates
# Interval lengths the aggregates grid has (multiples of its pre-calculated 2 minutes, 1 hour, 1 day).
INTERVALS = [
    *[("minute", minutes) for minutes in (2, 4, 6, 10, 12, 20, 30)],
    *[("hour", hours) for hours in (1, 2, 3, 4, 6, 8, 12)],
    *[("day", days) for days in (1, 2, 7)],
]
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # the grid's origin (UTC; MindSphere: the tenant's zone)
UNIT = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class Variable:
    property_set: str
    name: str
    unit: str

    @property
    def key(self) -> str:
        return f"{self.property_set}.{self.name}"

    @property
    def label(self) -> str:
        return f"{self.key} ({self.unit})" if self.unit else self.key


@dataclass(frozen=True)
class Series:
    """The points of a chart: (end of bucket, mean), and (end of bucket, min, max) when known."""

    start: datetime
    end: datetime
    bucket: timedelta
    points: list[tuple[datetime, float]]
    band: list[tuple[datetime, float, float]]

    @property
    def bucket_minutes(self) -> int:
        return int(self.bucket / timedelta(minutes=1))


def aggregate_interval(span: timedelta, max_points: int = AGGREGATES_MAX_INTERVALS) -> tuple[str, int]:
    """The shortest interval of the grid that cuts `span` into at most `max_points` intervals."""
    for unit, value in INTERVALS:
        if span / (UNIT[unit] * value) <= max_points:
            return unit, value
    return INTERVALS[-1]


def fetch(client, asset_id: str, variable: Variable, end: datetime, span: timedelta) -> Series:
    """The series of `variable` for the `span` up to `end`, in one gateway call."""
    if span <= RAW_LIMIT:
        return _raw(client, asset_id, variable, end - span, end)
    unit, value = aggregate_interval(span)
    length = UNIT[unit] * value
    # Whole intervals of the grid, the last one ending at or before `end`.
    aligned_end = end - (end - EPOCH) % length
    start = aligned_end - span
    items = client.aggregates(
        asset_id, variable.property_set, start, aligned_end, interval_unit=unit, interval_value=value, select=[variable.name]
    )
    points, band = [], []
    for item in items:
        summary = item.get(variable.name)
        if not isinstance(summary, dict) or not _number(summary.get("average")) or "endtime" not in item:
            continue
        moment = parse_time(item["endtime"])
        points.append((moment, round(summary["average"], 3)))
        if _number(summary.get("minvalue")) and _number(summary.get("maxvalue")):
            band.append((moment, round(summary["minvalue"], 3), round(summary["maxvalue"], 3)))
    return Series(start, aligned_end, length, points, band)


def _raw(client, asset_id: str, variable: Variable, start: datetime, end: datetime) -> Series:
    buckets = bucket_means(_raw_points(client, asset_id, variable, start, end), start, end)
    points = [(bucket.end, round(bucket.mean, 3)) for bucket in buckets]
    return Series(start, end, bucket_width(end - start, MAX_POINTS), points, [])


def _raw_points(client, asset_id: str, variable: Variable, start: datetime, end: datetime) -> Iterator[tuple[datetime, float]]:
    """(time, value) of the variable in (start, end], page by page (the client follows Link: next)."""
    for page in client.iter_time_series(asset_id, variable.property_set, start, end, select=[variable.name]):
        for record in page:
            value = record.get(variable.name)
            if _number(value) and "_time" in record:
                yield parse_time(record["_time"]), float(value)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
