"""Fewer points for a phone's chart: the mean of each fixed time bucket.

Why a small function and not a package: the maintained downsamplers on PyPI (tsdownsample, lttb)
do LTTB or min-max, which *pick* original points at irregular times and bring NumPy along. The
chart and its table fallback show the mean over fixed, labelled buckets instead ("the mean of the
5 minutes up to 10:05"), which a person can check against the raw series, copes with gaps, and
takes a dozen lines of plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_POINTS = 300
STEP = timedelta(minutes=1)  # IoT Time Series' usual resolution; buckets are whole steps wide


@dataclass(frozen=True)
class Bucket:
    """The records with times in (end - width, end]: their count and mean."""

    end: datetime
    mean: float
    count: int


def bucket_width(span: timedelta, max_points: int = MAX_POINTS, step: timedelta = STEP) -> timedelta:
    """The narrowest whole number of steps that cuts `span` into at most `max_points` buckets."""
    steps = -(-span // step)  # ceiling division
    return step * max(1, -(-steps // max_points))


def bucket_means(
    points: Iterable[tuple[datetime, float]],
    start: datetime,
    end: datetime,
    max_points: int = MAX_POINTS,
    step: timedelta = STEP,
) -> list[Bucket]:
    """Means of `points` in buckets of (start, end] (start exclusive, end inclusive, as the API).

    Buckets are aligned to `start`; the last one may be narrower and ends at `end`. Points
    outside the range or without a value are left out, and empty buckets give no point (a gap).
    """
    width = bucket_width(end - start, max_points, step)
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    for moment, value in points:
        if value is None or not start < moment <= end:
            continue
        index = -(-(moment - start) // width) - 1  # (start + i*width, start + (i+1)*width]
        sums[index] = sums.get(index, 0.0) + value
        counts[index] = counts.get(index, 0) + 1
    return [
        Bucket(end=min(start + width * (index + 1), end), mean=sums[index] / counts[index], count=counts[index])
        for index in sorted(sums)
    ]
