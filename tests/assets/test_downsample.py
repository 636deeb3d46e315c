"""The chart's downsampling: per-bucket means over (start, end], exact numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assets.downsample import Bucket, bucket_means, bucket_width
from emulator.timeseries import value_at

T0 = datetime(2026, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def at(minutes: int) -> datetime:
    return T0 + MINUTE * minutes


@pytest.mark.parametrize(
    ("span", "max_points", "width"),
    [
        (timedelta(hours=24), 300, 5 * MINUTE),  # 1440 minutes -> 288 buckets
        (timedelta(days=7), 300, 34 * MINUTE),  # 10080 minutes -> 297 buckets
        (timedelta(hours=1), 300, MINUTE),  # fewer points than the limit: no downsampling
        (300 * MINUTE, 300, MINUTE),
        (301 * MINUTE, 300, 2 * MINUTE),
        (timedelta(seconds=30), 300, MINUTE),  # never narrower than one step
    ],
)
def test_bucket_width(span, max_points, width):
    assert bucket_width(span, max_points) == width


def test_means_of_buckets_aligned_to_start():
    points = [(at(minute), float(minute)) for minute in range(1, 11)]  # values 1..10 at minutes 1..10
    assert bucket_means(points, T0, at(10), max_points=2) == [
        Bucket(end=at(5), mean=3.0, count=5),
        Bucket(end=at(10), mean=8.0, count=5),
    ]


def test_start_is_exclusive_end_inclusive_and_missing_values_are_left_out():
    points = [(at(0), 100.0), (at(1), 1.0), (at(2), None), (at(3), 2.0), (at(4), 3.0), (at(5), 100.0)]
    assert bucket_means(points, T0, at(4), max_points=1) == [Bucket(end=at(4), mean=2.0, count=3)]


def test_last_bucket_is_narrower_and_ends_at_the_end():
    points = [(at(minute), float(minute)) for minute in range(1, 8)]
    # 7 minutes in at most 2 buckets: 4 minutes wide, (0, 4] and (4, 7].
    assert bucket_means(points, T0, at(7), max_points=2) == [
        Bucket(end=at(4), mean=2.5, count=4),
        Bucket(end=at(7), mean=6.0, count=3),
    ]


def test_empty_buckets_give_a_gap_and_order_follows_time():
    points = [(at(9), 9.0), (at(1), 1.0), (at(2), 3.0)]  # unsorted, nothing in (3, 6]
    assert bucket_means(points, T0, at(9), max_points=3) == [
        Bucket(end=at(3), mean=2.0, count=2),
        Bucket(end=at(9), mean=9.0, count=1),
    ]


def test_a_day_of_emulator_data_becomes_288_five_minute_means():
    asset, variable = "some-asset", "temperature"
    points = [(at(minute), value_at(asset, variable, at(minute))) for minute in range(1, 1441)]
    buckets = bucket_means(points, T0, at(1440))
    assert len(buckets) == 288
    assert buckets[0] == Bucket(end=at(5), mean=sum(value for _, value in points[:5]) / 5, count=5)
    assert buckets[-1] == Bucket(end=at(1440), mean=sum(value for _, value in points[-5:]) / 5, count=5)
    assert all(bucket.count == 5 for bucket in buckets)
