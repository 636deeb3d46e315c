"""What the asset page charts: the last 24 hours from the raw series, longer ranges from aggregates.

A day at one-minute resolution is one IoT Time Series call (1440 records), bucketed here into
5-minute means. Denser data (an aspect that records every second: 86,400 records a day) does not
fit one call of 2000 records; when the first call says there is more (`Link: rel="next"`), the
day comes from IoT Time Series Aggregates instead, like longer ranges, which ask for whole
intervals of its grid in one call of at most ~200 intervals: 24 hours in 10 minutes (144 points),
7 days in hours (168), 30 days in 4 hours (180), each with the interval's mean and its minimum and
maximum (the band around the line).

Quality codes (`{variable}_qc`, OPC UA status codes) leave bad values out of the chart and the
means, and are counted: the page says how many bad and uncertain values there were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeGuard

from mindsphere.aggregates import AGGREGATES_MAX_INTERVALS
from mindsphere.timeseries import parse_time

from . import quality
from .downsample import MAX_POINTS, bucket_means, bucket_width

RAW_LIMIT = timedelta(days=1)  # up to a day, one raw call is enough; beyond it, aggregates
# Interval lengths the aggregates grid has (multiples of its pre-calculated 2 minutes, 1 hour, 1 day).
INTERVALS = [
    *[("minute", minutes) for minutes in (2, 4, 6, 10, 12, 20, 30)],
    *[("hour", hours) for hours in (1, 2, 3, 4, 6, 8, 12)],
    *[("day", days) for days in (1, 2, 7)],
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the grid's origin (UTC; MindSphere: the tenant's zone)
UNIT = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class Variable:
    property_set: str
    name: str
    unit: str
    quality: bool | None = None  # whether it has a quality code; None: not known yet (no `select` then)

    @property
    def key(self) -> str:
        return f"{self.property_set}.{self.name}"

    @property
    def label(self) -> str:
        return f"{self.key} ({self.unit})" if self.unit else self.key

    @property
    def option_label(self) -> str:
        """The variable in its aspect's group of the select: its readable name and unit, "Flow rate (m³/h)"."""
        from .aspects import readable  # aspects builds on this module

        name = readable(self.name)
        return f"{name} ({self.unit})" if self.unit else name


@dataclass(frozen=True)
class Series:
    """The points of a chart: (end of bucket, mean), and (end of bucket, min, max) when known."""

    start: datetime
    end: datetime
    bucket: timedelta
    points: list[tuple[datetime, float]]
    band: list[tuple[datetime, float, float]]
    bad: int = 0  # values left out for bad quality
    uncertain: int = 0  # values of uncertain quality (kept)

    @property
    def bucket_minutes(self) -> int:
        return int(self.bucket / timedelta(minutes=1))

    def table_rows(self) -> list[tuple]:
        """(time, mean) per point, or (time, mean, minimum, maximum) where aggregates give the band."""
        if not self.band:
            return list(self.points)
        band = {moment: (low, high) for moment, low, high in self.band}
        return [(moment, mean, *band.get(moment, (None, None))) for moment, mean in self.points]


@dataclass(frozen=True)
class Latest:
    """The latest recorded value of a variable (IoT Time Series' latest record), shown above the chart."""

    time: datetime
    value: float
    quality: str  # quality.GOOD, UNCERTAIN or BAD (GOOD for a variable without a quality code)


def latest(client, asset_id: str, variable: Variable) -> Latest | None:
    """The variable's latest value: one gateway call (the property set's latest record); None if it has none."""
    record = client.latest_record(asset_id, variable.property_set)
    value = (record or {}).get(variable.name)
    if not record or not _number(value) or "_time" not in record:
        return None
    return Latest(parse_time(record["_time"]), round(value, 3), quality.severity(record.get(f"{variable.name}_qc")))


def aggregate_interval(span: timedelta, max_points: int = AGGREGATES_MAX_INTERVALS) -> tuple[str, int]:
    """The shortest interval of the grid that cuts `span` into at most `max_points` intervals."""
    for unit, value in INTERVALS:
        if span / (UNIT[unit] * value) <= max_points:
            return unit, value
    return INTERVALS[-1]


def fetch(client, asset_id: str, variable: Variable, end: datetime, span: timedelta) -> Series:
    """The series of `variable` for the `span` up to `end`: one gateway call (two for dense data)."""
    if span <= RAW_LIMIT:
        start = end - span
        records, more = client.time_series_page(asset_id, variable.property_set, start, end, select=_select(variable))
        if not more:
            return _raw(records, variable, start, end)
        # More than one call's worth of records (e.g. one a second): the aggregates' means instead.
    return _aggregated(client, asset_id, variable, end, span)


def _select(variable: Variable) -> list[str] | None:
    if variable.quality is None:
        return None  # all of the aspect's variables, with `_qc` where they have one
    return [variable.name, f"{variable.name}_qc"] if variable.quality else [variable.name]


def _aggregated(client, asset_id: str, variable: Variable, end: datetime, span: timedelta) -> Series:
    unit, value = aggregate_interval(span)
    length = UNIT[unit] * value
    # Whole intervals of the grid, the last one ending at or before `end`.
    aligned_end = end - (end - EPOCH) % length
    start = aligned_end - span
    items = client.aggregates(
        asset_id,
        variable.property_set,
        start,
        aligned_end,
        interval_unit=unit,
        interval_value=value,
        select=[variable.name],
    )
    points, band, bad, uncertain = [], [], 0, 0
    for item in items:
        summary = item.get(variable.name)
        if not isinstance(summary, dict) or "endtime" not in item:
            continue
        bad += _count(summary.get("countbad"))
        uncertain += _count(summary.get("countuncertain"))
        if not _number(summary.get("average")):
            continue
        moment = parse_time(item["endtime"])
        points.append((moment, round(summary["average"], 3)))
        if _number(summary.get("minvalue")) and _number(summary.get("maxvalue")):
            band.append((moment, round(summary["minvalue"], 3), round(summary["maxvalue"], 3)))
    return Series(start, aligned_end, length, points, band, bad, uncertain)


def _raw(records: list[dict], variable: Variable, start: datetime, end: datetime) -> Series:
    kept, bad, uncertain = [], 0, 0
    code_name = f"{variable.name}_qc"
    for record in records:
        value = record.get(variable.name)
        if not _number(value) or "_time" not in record:
            continue
        grade = quality.severity(record.get(code_name))
        if grade == quality.BAD:
            bad += 1
            continue
        uncertain += grade == quality.UNCERTAIN
        kept.append((parse_time(record["_time"]), float(value)))
    buckets = bucket_means(kept, start, end)
    points = [(bucket.end, round(bucket.mean, 3)) for bucket in buckets]
    return Series(start, end, bucket_width(end - start, MAX_POINTS), points, [], bad, uncertain)


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _count(value: object) -> int:
    return int(value) if _number(value) and value > 0 else 0
