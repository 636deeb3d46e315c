"""IoT Time Series Aggregates v4 over the deterministic series of emulator.timeseries.

Pure functions with no Django import. What the public API documents and the emulator follows:
intervals are (starttime, endtime] (a record at the end of an interval belongs to it); the
requested range is widened to whole intervals of the pre-calculated grid (UTC here, the tenant's
time zone on MindSphere); without an interval the largest pre-calculated one that fits the range
is taken; each aggregate carries, per variable, the first, last, minimum and maximum value with
their times, sum, average, standard deviation and the good / uncertain / bad counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import timeseries

MAX_INTERVALS = 200
UNITS = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
# Pre-calculated interval lengths; asked lengths must be whole multiples of them (2, 4, 10 minutes…).
PRECALCULATED = {"minute": 2, "hour": 1, "day": 1, "week": 1}
# The longest range per unit (the public API's limits).
MAX_RANGE = {
    "minute": timedelta(hours=48),
    "hour": timedelta(days=30),
    "day": timedelta(days=365),
    "week": timedelta(days=365),
}
DEFAULT_RANGE = timedelta(days=7)
AUTO_RANGE = timedelta(days=90)
WEEK_ORIGIN = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday: weeks start on Mondays


class AggregatesError(ValueError):
    """A request the API refuses (400), with the message to send back."""


@dataclass(frozen=True)
class Interval:
    unit: str
    value: int

    @property
    def length(self) -> timedelta:
        return UNITS[self.unit] * self.value

    def floor(self, moment: datetime) -> datetime:
        origin = WEEK_ORIGIN if self.unit == "week" else timeseries.EPOCH
        return moment - (moment - origin) % self.length

    def ceil(self, moment: datetime) -> datetime:
        floored = self.floor(moment)
        return floored if floored == moment else floored + self.length


def parse_interval(unit: str | None, value: str | None) -> Interval | None:
    """The asked interval, or None when neither part is given (then `auto_interval` picks one)."""
    if not unit and not value:
        return None
    if not unit or not value:
        raise AggregatesError("Give both 'intervalUnit' and 'intervalValue', or neither.")
    unit = unit.lower()
    if unit == "month":
        raise AggregatesError("The emulator does not support 'month' intervals; use day or week.")
    if unit not in UNITS:
        raise AggregatesError("Parameter 'intervalUnit' must be one of minute, hour, day, week, month.")
    try:
        number = int(value)
    except ValueError:
        raise AggregatesError("Parameter 'intervalValue' must be a whole number.") from None
    if number < 1:
        raise AggregatesError("Parameter 'intervalValue' must be at least 1.")
    if number % PRECALCULATED[unit]:
        raise AggregatesError(
            f"Only multiples of the pre-calculated interval are supported: {PRECALCULATED[unit]} {unit}."
        )
    return Interval(unit, number)


def auto_interval(start: datetime, end: datetime) -> Interval:
    """The largest pre-calculated interval that fits into the range (2 minutes for short ranges)."""
    for unit in ("day", "hour"):
        if end - start >= UNITS[unit]:
            return Interval(unit, 1)
    return Interval("minute", 2)


def resolve_range(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The documented auto-completion of `from` and `to` (without `count`)."""
    if start is None and end is None:
        return now - DEFAULT_RANGE, now
    if end is None:
        assert start is not None  # both None is answered above
        day = start.replace(hour=0, minute=0, second=0, microsecond=0)
        return start, min(day + AUTO_RANGE, now)
    if start is None:
        return end - AUTO_RANGE, end
    return start, end


def intervals(start: datetime, end: datetime, interval: Interval) -> list[tuple[datetime, datetime]]:
    """The whole intervals of the grid that cover (start, end], checked against the API's limits."""
    if end <= start:
        raise AggregatesError("'to' must be later than 'from'.")
    if end - start > MAX_RANGE[interval.unit]:
        raise AggregatesError(
            f"The time range is too long for '{interval.unit}' aggregates (at most {MAX_RANGE[interval.unit].days} days)."
        )
    first, last = interval.floor(start), interval.ceil(end)
    count = (last - first) // interval.length
    if count > MAX_INTERVALS:
        raise AggregatesError(
            f"At most {MAX_INTERVALS} intervals per request; this range has {count}. Choose a longer interval."
        )
    return [(first + interval.length * index, first + interval.length * (index + 1)) for index in range(count)]


def aggregate(
    asset_id: str,
    variables: list[str],
    start: datetime,
    end: datetime,
    interval: Interval,
    *,
    step: timedelta = timeseries.RESOLUTION,
    with_quality: set[str] | frozenset[str] = frozenset(),
    until: datetime | None = None,
) -> list[dict]:
    """The aggregates of `variables` per interval covering (start, end], oldest first.

    Records one `step` apart (a minute, or a second for a 1 Hz aspect). For variables with a
    quality code, bad records are counted in `countbad` and left out of the values; uncertain ones
    are counted in `countuncertain` and kept (the emulator's assumption, see docs/emulator.md).
    `until`: there are no records after it (an asset that stopped reporting); intervals without
    records are left out.
    """
    spans = intervals(start, end, interval)
    if not spans:
        return []
    per_interval = interval.length // step
    first_mark = spans[0][0] + step
    series = {
        name: timeseries.values_from(asset_id, name, first_mark, per_interval * len(spans), step) for name in variables
    }
    result = []
    for index, (low, high) in enumerate(spans):
        count = per_interval if until is None else max(0, min(per_interval, (until - low) // step))
        if not count:
            continue
        # Records are addressed by their offset in the interval: a month of 1 Hz records is 2.6
        # million, too many to make a datetime for each.
        marks = _Marks(low + step, step, count)
        item: dict = {}
        for name in variables:
            values = series[name][index * per_interval : index * per_interval + count]
            item[name] = (
                _with_quality(asset_id, name, marks, values) if name in with_quality else _summary(marks, values)
            )
        item["starttime"] = _format(low)
        item["endtime"] = _format(high)
        result.append(item)
    return result


@dataclass(frozen=True)
class _Marks:
    """The times of an interval's records: `first`, then one `step` apart, `count` of them."""

    first: datetime
    step: timedelta
    count: int

    def at(self, offset: int) -> datetime:
        return self.first + self.step * offset

    def by_minute(self) -> list[tuple[int, int, datetime]]:
        """(from offset, to offset, minute) runs of records that fall in one minute."""
        microsecond = timedelta(microseconds=1)
        first, step, minute = (self.first - timeseries.EPOCH) // microsecond, self.step // microsecond, 60_000_000
        runs, offset = [], 0
        while offset < self.count:
            number = (first + step * offset) // minute
            following = min(self.count, -(-((number + 1) * minute - first) // step))
            runs.append((offset, following, timeseries.EPOCH + timedelta(minutes=number)))
            offset = following
        return runs


def _with_quality(asset_id: str, name: str, marks: _Marks, values: list[float]) -> dict:
    # Quality changes by the minute: look it up once a minute, not for each of 60 one-second records.
    kept_offsets: list[int] = []
    kept_values: list[float] = []
    uncertain = bad = 0
    for low, high, minute in marks.by_minute():
        severity = timeseries.severity(timeseries.quality_at(asset_id, name, minute))
        if severity == "bad":
            bad += high - low
            continue
        uncertain += (high - low) if severity == "uncertain" else 0
        kept_offsets.extend(range(low, high))
        kept_values.extend(values[low:high])
    if not kept_values:
        return {"countgood": 0, "countuncertain": 0, "countbad": bad}
    return _summary(marks, kept_values, kept_offsets, uncertain=uncertain, bad=bad)


def _summary(
    marks: _Marks, values: list[float], offsets: list[int] | None = None, *, uncertain: int = 0, bad: int = 0
) -> dict:
    """`offsets`: where each value sits among the interval's records (all of them, in order, if None)."""

    def time_of(index: int) -> str:
        return _format(marks.at(offsets[index] if offsets is not None else index))

    low = values.index(min(values))
    high = values.index(max(values))
    total = math.fsum(values)
    mean = total / len(values)
    return {
        "countgood": len(values) - uncertain,
        "countuncertain": uncertain,
        "countbad": bad,
        "sum": total,
        "average": mean,
        "minvalue": values[low],
        "mintime": time_of(low),
        "maxvalue": values[high],
        "maxtime": time_of(high),
        "firstvalue": values[0],
        "firsttime": time_of(0),
        "lastvalue": values[-1],
        "lasttime": time_of(len(values) - 1),
        # The population standard deviation (statistics.pstdev, without its exact but slow arithmetic).
        "sd": math.sqrt(math.fsum((value - mean) ** 2 for value in values) / len(values)),
    }


def _format(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
