"""Small pure helpers of the asset pages: the chart's end time, variables and locations."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from assets.views import Variable, location_text, parse_end, variables_of

NOW = datetime(2026, 3, 4, 13, 37, 42, 123000, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, datetime(2026, 3, 4, 13, 37, tzinfo=timezone.utc)),  # now, to the minute
        ("2026-03-01T12:00:59Z", datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)),
        ("2026-03-01T13:00+01:00", datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)),
        ("2026-03-01T13:00 01:00", datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)),  # '+' decoded as a space
    ],
)
def test_parse_end(raw, expected):
    assert parse_end(raw, NOW) == expected


@pytest.mark.parametrize("raw", ["yesterday", "2026-03-01T12:00", "1969-12-31T00:00Z", "2026-03-06T00:00Z", "0001-01-01T00:00+01:00"])
def test_parse_end_refuses(raw):
    with pytest.raises(ValueError):
        parse_end(raw, NOW)


def test_variables_of_every_property_set_in_order():
    asset = {
        "aspects": [
            {"name": "Environment", "variables": [{"name": "temperature", "unit": "°C"}, {"name": "humidity", "unit": "%"}]},
            {"name": "Counters", "variables": [{"name": "starts"}]},
            {"name": "Empty", "variables": []},
        ]
    }
    found = variables_of(asset)
    assert [variable.key for variable in found] == ["Environment.temperature", "Environment.humidity", "Counters.starts"]
    assert found[0].label == "Environment.temperature (°C)" and found[2].label == "Counters.starts"
    assert variables_of({}) == [] and found[2] == Variable("Counters", "starts", "")


def test_location_text():
    assert location_text({"country": "Germany", "locality": "Munich", "latitude": 48.1}) == "Munich, Germany"
    full = {"streetAddress": "Main St 1", "postalCode": "80331", "locality": "Munich", "region": "Bavaria", "country": "Germany"}
    assert location_text(full) == "Main St 1, 80331 Munich, Bavaria, Germany"
    assert location_text(None) == ""
