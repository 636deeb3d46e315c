"""Small pure helpers of the asset pages: the chart's end time, variables and locations."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from assets.aspects import chart_variables, export_columns, static_values
from assets.quality import severity
from assets.views import Variable, location_text, parse_end

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


# Aspects as `GET /assets/{id}/aspects` gives them (AspectResource).
ASPECTS = [
    {"name": "Environment", "category": "dynamic", "variables": [
        {"name": "temperature", "dataType": "DOUBLE", "unit": "°C", "qualityCode": False},
        {"name": "humidity", "dataType": "DOUBLE", "unit": "%", "qualityCode": True},
        {"name": "label", "dataType": "STRING", "unit": "", "qualityCode": False},
    ]},
    {"name": "Counters", "category": "dynamic", "variables": [{"name": "starts", "dataType": "INT", "unit": None}]},
    {"name": "Nameplate", "category": "static", "variables": [{"name": "serial", "dataType": "STRING", "unit": ""}]},
    {"name": "Empty", "category": "dynamic", "variables": []},
]


def test_chart_variables_are_the_numeric_variables_of_time_series_aspects_in_order():
    found = chart_variables(ASPECTS)
    assert [variable.key for variable in found] == ["Environment.temperature", "Environment.humidity", "Counters.starts"]
    assert found[0].label == "Environment.temperature (°C)" and found[2].label == "Counters.starts"
    assert chart_variables([]) == [] and found[2] == Variable("Counters", "starts", "", False)
    assert [variable.quality for variable in found] == [False, True, False]


def test_export_columns_add_the_quality_codes_and_leave_static_aspects_out():
    assert export_columns(ASPECTS) == {
        "Environment": ["temperature", "humidity", "humidity_qc", "label"],
        "Counters": ["starts"],
        "Empty": [],
    }


def test_static_values_of_the_asset():
    asset = {"aspects": [{"name": "Nameplate", "variables": [{"name": "serial", "value": "S-1"}, {"name": "year", "value": None}]}]}
    assert static_values(asset) == [("Nameplate.serial", "S-1")]
    assert static_values({}) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [(0, "good"), (None, "good"), (0x00A80000, "good"), (0x40920000, "uncertain"), (0x80000000, "bad"), (0x808B0000, "bad"), (0xC0000000, "bad"), ("0", "good")],
)
def test_quality_severity_is_the_opc_ua_status_codes_top_bits(code, expected):
    assert severity(code) == expected


def test_location_text():
    assert location_text({"country": "Germany", "locality": "Munich", "latitude": 48.1}) == "Munich, Germany"
    full = {"streetAddress": "Main St 1", "postalCode": "80331", "locality": "Munich", "region": "Bavaria", "country": "Germany"}
    assert location_text(full) == "Main St 1, 80331 Munich, Bavaria, Germany"
    assert location_text(None) == ""
