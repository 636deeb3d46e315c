"""Small pure helpers of the asset pages: the chart's query and end time, variables and locations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django import forms

from assets.aspects import chart_variables, export_columns, static_values
from assets.forms import ChartQuery, parse_end
from assets.quality import severity
from assets.series import Variable
from assets.views import location_text

NOW = datetime(2026, 3, 4, 13, 37, 42, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, datetime(2026, 3, 4, 13, 37, tzinfo=UTC)),  # now, to the minute
        ("2026-03-01T12:00:59Z", datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        ("2026-03-01T13:00+01:00", datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        ("2026-03-01T13:00 01:00", datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),  # '+' decoded as a space
    ],
)
def test_parse_end(raw, expected):
    assert parse_end(raw, NOW) == expected


@pytest.mark.parametrize(
    "raw", ["yesterday", "2026-03-01T12:00", "1969-12-31T00:00Z", "2026-03-06T00:00Z", "0001-01-01T00:00+01:00"]
)
def test_parse_end_refuses(raw):
    with pytest.raises(ValueError):
        parse_end(raw, NOW)


# Aspects as `GET /assets/{id}/aspects` gives them (AspectResource).
ASPECTS = [
    {
        "name": "Environment",
        "category": "dynamic",
        "variables": [
            {"name": "temperature", "dataType": "DOUBLE", "unit": "°C", "qualityCode": False},
            {"name": "humidity", "dataType": "DOUBLE", "unit": "%", "qualityCode": True},
            {"name": "label", "dataType": "STRING", "unit": "", "qualityCode": False},
        ],
    },
    {"name": "Counters", "category": "dynamic", "variables": [{"name": "starts", "dataType": "INT", "unit": None}]},
    {"name": "Nameplate", "category": "static", "variables": [{"name": "serial", "dataType": "STRING", "unit": ""}]},
    {"name": "Empty", "category": "dynamic", "variables": []},
]


def test_chart_variables_are_the_numeric_variables_of_time_series_aspects_in_order():
    found = chart_variables(ASPECTS)
    assert [variable.key for variable in found] == [
        "Environment.temperature",
        "Environment.humidity",
        "Counters.starts",
    ]
    assert found[0].label == "Environment.temperature (°C)" and found[2].label == "Counters.starts"
    assert chart_variables([]) == [] and found[2] == Variable("Counters", "starts", "", False)
    assert [variable.quality for variable in found] == [False, True, False]


def test_the_chart_query_is_the_last_24_hours_up_to_now_unless_it_says_otherwise():
    query = ChartQuery({}, now=NOW)
    assert query.is_valid() and query.cleaned_data["range"] == "24h" and query.span == timedelta(hours=24)
    assert query.cleaned_data["end"] == datetime(2026, 3, 4, 13, 37, tzinfo=UTC)
    query = ChartQuery({"range": "7d", "end": "2026-03-01T12:00Z", "variable": "Environment.humidity"}, now=NOW)
    assert query.is_valid() and query.span == timedelta(days=7)
    assert query.link_to_same_numbers(Variable("Environment", "humidity", "%")) == (
        "variable=Environment.humidity&range=7d&end=2026-03-01T12%3A00Z"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"range": "1y"}, "Unknown range “1y”; choose one of: 24h, 7d, 30d."),
        ({"range": "1y", "end": "yesterday"}, "Unknown range “1y”"),  # the first of two
        ({"end": "yesterday"}, "The end must be an ISO 8601 time with a time zone"),
    ],
)
def test_the_chart_query_says_what_is_wrong(data, message):
    query = ChartQuery(data, now=NOW)
    assert not query.is_valid() and query.problem().startswith(message)


def test_the_chart_querys_variable_is_one_of_the_assets():
    variables = chart_variables(ASPECTS)
    assert ChartQuery({}, now=NOW).is_valid()

    def chosen(key: str, among: list[Variable] = variables) -> Variable | None:
        query = ChartQuery({"variable": key}, now=NOW)
        assert query.is_valid()
        return query.variable_of(among)

    assert chosen("") == variables[0] and chosen("Counters.starts") == variables[2]
    assert chosen("", []) is None  # an asset without variables has no chart
    with pytest.raises(forms.ValidationError) as refused:
        chosen("Environment.label")
    assert refused.value.messages == [
        "Unknown variable “Environment.label” for this asset; choose one of: "
        "Environment.temperature, Environment.humidity, Counters.starts."
    ]
    with pytest.raises(forms.ValidationError, match="choose one of: none"):
        chosen("Environment.temperature", [])


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("Environment.temperature", Variable("Environment", "temperature", "")),
        ("A.B.c", Variable("A", "B.c", "")),
        ("", None),
        ("nodot", None),
        (".name", None),
        ("set.", None),
    ],
)
def test_the_variable_the_url_names_is_split_at_its_first_dot(key, named):
    query = ChartQuery({"variable": key}, now=NOW)
    assert query.is_valid() and query.named_variable() == named


def test_export_columns_add_the_quality_codes_and_leave_static_aspects_out():
    assert export_columns(ASPECTS) == {
        "Environment": ["temperature", "humidity", "humidity_qc", "label"],
        "Counters": ["starts"],
        "Empty": [],
    }


def test_static_values_of_the_asset():
    asset = {
        "aspects": [
            {"name": "Nameplate", "variables": [{"name": "serial", "value": "S-1"}, {"name": "year", "value": None}]}
        ]
    }
    assert static_values(asset) == [("Nameplate.serial", "S-1")]
    assert static_values({}) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0, "good"),
        (None, "good"),
        (0x00A80000, "good"),
        (0x40920000, "uncertain"),
        (0x80000000, "bad"),
        (0x808B0000, "bad"),
        (0xC0000000, "bad"),
        ("0", "good"),
    ],
)
def test_quality_severity_is_the_opc_ua_status_codes_top_bits(code, expected):
    assert severity(code) == expected


def test_location_text():
    assert location_text({"country": "Germany", "locality": "Munich", "latitude": 48.1}) == "Munich, Germany"
    full = {
        "streetAddress": "Main St 1",
        "postalCode": "80331",
        "locality": "Munich",
        "region": "Bavaria",
        "country": "Germany",
    }
    assert location_text(full) == "Main St 1, 80331 Munich, Bavaria, Germany"
    assert location_text(None) == ""
