"""The emulator's API gateway over real HTTP, called with real tokens from the OAuth code flow.

Asset Management v3 (paging, sorting, filtering, errors), IoT Time Series v3 (exact values,
ranges, paging by Link header), tenant isolation, and the bearer checks (401 and 403).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator import timeseries
from tests import oauth_client
from tests.servers import Emulator

ASSETS = "/api/assetmanagement/v3/assets"
TIMESERIES = "/api/iottimeseries/v3/timeseries"
MINUTE = timedelta(minutes=1)
START = datetime(2026, 1, 1, tzinfo=UTC)

ACME_ADMIN = ("acme", "admin@acme.example")
ACME_USER = ("acme", "user@acme.example")
ACME_NOROLE = ("acme", "norole@acme.example")
ACME_CONSULTANT = ("acme", "consultant@example.com")
GLOBEX_ADMIN = ("globex", "admin@globex.example")
GLOBEX_CONSULTANT = ("globex", "consultant@example.com")


def asset_id(tenant: str, name: str) -> str:
    # Mirrors emulator.demo.asset_id_for, which cannot be imported under the app's settings.
    return hashlib.md5(f"{tenant}/{name}".encode()).hexdigest()


def demo_names(tenant: str) -> list[str]:
    kinds = ["Pump", "Motor", "Compressor"]
    count, prefix = {"acme": (28, ""), "globex": (7, "Globex ")}[tenant]
    return [f"{prefix}{kinds[(number - 1) % 3]} {number:02d}" for number in range(1, count + 1)]


ACME_NAMES = demo_names("acme")
GLOBEX_NAMES = demo_names("globex")
PUMP_01 = asset_id("acme", "Pump 01")
MOTOR_02 = asset_id("acme", "Motor 02")
GLOBEX_PUMP_01 = asset_id("globex", "Globex Pump 01")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def query_of(href: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(href).query).items()}


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def tokens(emulator: Emulator) -> Callable[[tuple[str, str]], dict]:
    """The token dict of a demo user, signed in at most once per module."""
    signed_in: dict[tuple[str, str], dict] = {}

    def token(user: tuple[str, str]) -> dict:
        if user not in signed_in:
            signed_in[user] = oauth_client.sign_in(emulator, *user)
        return signed_in[user]

    return token


@pytest.fixture(scope="module")
def call(emulator: Emulator, http: requests.Session, tokens) -> Callable[..., requests.Response]:
    """GET a gateway path (or absolute URL) as a demo user, acme's admin unless told."""

    def get(path: str, user: tuple[str, str] = ACME_ADMIN, **params) -> requests.Response:
        url = path if path.startswith("http") else f"{emulator.gateway}{path}"
        headers = {"Authorization": f"Bearer {tokens(user)['access_token']}"}
        return http.get(url, params=params or None, headers=headers, timeout=10)

    return get


def all_assets(call, user: tuple[str, str] = ACME_ADMIN, **params) -> list[dict]:
    response = call(ASSETS, user, size=100, **params)
    assert response.status_code == 200, response.text
    return response.json()["_embedded"]["assets"]


def assert_error(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert set(errors[0]) == {"code", "logref", "message"}
    assert all(isinstance(errors[0][key], str) and errors[0][key] for key in ("code", "logref", "message"))
    return errors[0]


def assert_time_series_error(response: requests.Response, status: int) -> dict:
    """IoT Time Series' own error body: {"id", "message"} (the SDK's TimeSeriesModels.Error)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"id", "message"} and all(isinstance(body[key], str) and body[key] for key in body)
    return body


# --- Asset Management: paging -------------------------------------------------------------------


def test_default_page_is_the_first_ten_assets_by_name(call):
    response = call(ASSETS)

    assert response.status_code == 200
    body = response.json()
    assert [asset["name"] for asset in body["_embedded"]["assets"]] == sorted(ACME_NAMES)[:10]
    assert body["page"] == {"size": 10, "totalElements": 28, "totalPages": 3, "number": 0}
    links = body["_links"]
    assert set(links) == {"self", "first", "next", "last"}
    assert query_of(links["self"]["href"])["page"] == "0"
    assert query_of(links["first"]["href"])["page"] == "0"
    assert query_of(links["next"]["href"])["page"] == "1"
    assert query_of(links["last"]["href"])["page"] == "2"


def test_following_next_links_yields_every_asset_exactly_once(call):
    seen: list[dict] = []
    url, pages = ASSETS, 0
    while url:
        body = call(url).json()
        number = body["page"]["number"]
        assert number == pages
        assert ("prev" in body["_links"]) == (number > 0)
        if number > 0:
            assert query_of(body["_links"]["prev"]["href"])["page"] == str(number - 1)
        seen.extend(body["_embedded"]["assets"])
        url = body["_links"].get("next", {}).get("href")
        pages += 1

    assert pages == 3
    assert [len(seen[:10]), len(seen[10:20]), len(seen[20:])] == [10, 10, 8]
    assert [asset["name"] for asset in seen] == sorted(ACME_NAMES)
    assert sorted(asset["assetId"] for asset in seen) == sorted(asset_id("acme", name) for name in ACME_NAMES)


def test_links_keep_the_other_parameters(call):
    body = call(ASSETS, page=1, size=5, sort="name,desc").json()

    assert body["page"] == {"size": 5, "totalElements": 28, "totalPages": 6, "number": 1}
    for name, page in {"self": "1", "first": "0", "prev": "0", "next": "2", "last": "5"}.items():
        assert query_of(body["_links"][name]["href"]) == {"page": page, "size": "5", "sort": "name,desc"}


def test_a_page_past_the_end_is_empty(call):
    body = call(ASSETS, page=7).json()

    assert body["_embedded"]["assets"] == []
    assert body["page"] == {"size": 10, "totalElements": 28, "totalPages": 3, "number": 7}
    assert "next" not in body["_links"]
    assert query_of(body["_links"]["prev"]["href"])["page"] == "2"  # back to the last real page


@pytest.mark.parametrize("sort, reverse", [("name,asc", False), ("name,desc", True), ("name", False)])
def test_sort_by_name(call, sort, reverse):
    names = [asset["name"] for asset in all_assets(call, sort=sort)]

    assert names == sorted(ACME_NAMES, reverse=reverse)


# --- Asset Management: filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({"name": {"contains": "pump"}}, [name for name in ACME_NAMES if name.startswith("Pump")]),
        ({"name": {"contains": "PUMP"}}, [name for name in ACME_NAMES if name.startswith("Pump")]),
        ({"name": "Pump 01"}, ["Pump 01"]),
        ({"name": {"startsWith": "motor"}}, [name for name in ACME_NAMES if name.startswith("Motor")]),
        ({"name": {"endsWith": "7"}}, ["Pump 07", "Motor 17", "Compressor 27"]),
        ({"name": {"eq": "Compressor 03"}}, ["Compressor 03"]),
        ({"name": {"startsWith": "pump", "endsWith": "0"}}, ["Pump 10"]),
        # The rest of the documented filter language (docs/emulator.md names the page).
        ({"name": {"in": {"value": ["Pump 01", "Motor 02", "pump 04"]}}}, ["Pump 01", "Motor 02"]),
        ({"name": {"or": [{"eq": "Pump 01"}, {"endsWith": "28"}]}}, ["Pump 01", "Pump 28"]),
        ({"not": {"name": {"startsWith": "P"}}, "name": {"endsWith": "1"}}, ["Compressor 21", "Motor 11"]),
        ({"or": {"name": "Pump 01", "externalId": "ACME-MOT-002"}}, ["Pump 01", "Motor 02"]),
        ({"and": {"typeId": "acme.Motor", "name": {"endsWith": "5"}}}, ["Motor 05"]),
        (
            {"typeId": "acme.Compressor", "deleted": None},
            [name for name in ACME_NAMES if name.startswith("Compressor")],
        ),
        ({"hasType": "acme.Pump", "name": {"contains": "2"}}, ["Pump 22", "Pump 25", "Pump 28"]),
        ({"name": "Pump 01", "colour": "red"}, ["Pump 01"]),  # fields the documentation does not list are ignored
        ({"deleted": {"before": "2018-01-01T00:00:00.00Z"}}, []),  # nothing is deleted
    ],
)
def test_filter_by_name(call, spec, expected):
    body = call(ASSETS, size=100, filter=json.dumps(spec)).json()

    assert sorted(asset["name"] for asset in body["_embedded"]["assets"]) == sorted(expected)
    assert body["page"]["totalElements"] == len(expected)


def test_pump_filter_finds_the_ten_pumps(call):
    body = call(ASSETS, filter=json.dumps({"name": {"contains": "pump"}})).json()

    assert body["page"] == {"size": 10, "totalElements": 10, "totalPages": 1, "number": 0}
    assert "next" not in body["_links"]


@pytest.mark.parametrize("spec", [{"name": {"contains": "turbine"}}, {"name": "pump 01"}])
def test_filter_that_matches_nothing(call, spec):
    body = call(ASSETS, filter=json.dumps(spec)).json()

    assert body["_embedded"]["assets"] == []
    assert body["page"] == {"size": 10, "totalElements": 0, "totalPages": 0, "number": 0}
    assert "next" not in body["_links"] and "prev" not in body["_links"]


@pytest.mark.parametrize(
    "params",
    [
        {"filter": "{name: pump"},
        {"filter": json.dumps(["name"])},
        {"filter": json.dumps({"name": {"like": "pump"}})},
        {"filter": json.dumps({"name": {"in": ["Pump 01"]}})},
        {"filter": json.dumps({"or": ["name"]})},
        {"filter": json.dumps({"name": {"contains": 5}})},
        {"filter": json.dumps({"name": {}})},
        {"sort": "colour,asc"},
        {"sort": "name,sideways"},
        {"size": "0"},
        {"size": "201"},  # Asset Management's pages hold at most 200 assets
        {"size": "ten"},
        {"page": "-1"},
    ],
    ids=lambda params: "&".join(f"{key}={value}" for key, value in params.items()),
)
def test_bad_asset_query_is_a_400_with_mindsphere_errors(call, params):
    error = assert_error(call(ASSETS, **params), 400)

    assert error["code"] == "mdsp.core.assetmanagement.badRequest"


# --- Asset Management: one asset ----------------------------------------------------------------


def test_asset_fields(call):
    [asset] = call(ASSETS, filter=json.dumps({"name": "Pump 01"})).json()["_embedded"]["assets"]

    assert asset["assetId"] == PUMP_01
    assert asset["tenantId"] == "acme"
    assert asset["name"] == "Pump 01"
    assert asset["externalId"] == "ACME-PUM-001"
    assert asset["typeId"] == "acme.Pump"
    assert asset["description"]
    assert asset["parentId"] is None
    assert asset["timezone"] == "Europe/Berlin"
    assert asset["location"]["locality"] == "Munich"
    assert isinstance(asset["etag"], int)
    assert isinstance(asset["variables"], list)
    # As on the real API, `aspects` holds the static aspects' values; time series are under /aspects.
    assert asset["aspects"] == [
        {
            "name": "Nameplate",
            "variables": [{"name": "manufacturer", "value": "Acme Pumps"}, {"name": "yearBuilt", "value": "2019"}],
        }
    ]
    assert asset["_links"]["self"]["href"].endswith(f"{ASSETS}/{PUMP_01}")
    assert asset["_links"]["aspects"]["href"].endswith(f"{ASSETS}/{PUMP_01}/aspects")


def test_two_hundred_assets_fit_in_a_page(call):
    body = call(ASSETS, size=200).json()
    assert body["page"] == {"size": 200, "totalElements": 28, "totalPages": 1, "number": 0}


def test_aspects_of_an_asset_are_its_definitions(call):
    body = call(f"{ASSETS}/{MOTOR_02}/aspects", size=2).json()
    assert body["page"] == {"size": 2, "totalElements": 4, "totalPages": 2, "number": 0}
    rest = call(body["_links"]["next"]["href"]).json()
    aspects = body["_embedded"]["aspects"] + rest["_embedded"]["aspects"]
    assert [(aspect["name"], aspect["category"]) for aspect in aspects] == [
        ("Environment", "dynamic"),
        ("MotorData", "dynamic"),
        ("Vibration", "dynamic"),
        ("Nameplate", "static"),
    ]
    motor = aspects[1]
    assert motor["holderAssetId"] == MOTOR_02 and motor["aspectTypeId"] == "acme.MotorData"
    assert motor["variables"] == [
        {
            "name": "speed",
            "dataType": "DOUBLE",
            "unit": "rpm",
            "searchable": False,
            "length": None,
            "qualityCode": False,
            "defaultValue": None,
        },
        {
            "name": "current",
            "dataType": "DOUBLE",
            "unit": "A",
            "searchable": False,
            "length": None,
            "qualityCode": True,
            "defaultValue": None,
        },
    ]
    assert aspects[3]["variables"][0] == {
        "name": "manufacturer",
        "dataType": "STRING",
        "unit": "",
        "searchable": False,
        "length": 255,
        "qualityCode": False,
        "defaultValue": None,
    }


def test_aspects_of_another_tenants_asset_are_404(call):
    assert_error(call(f"{ASSETS}/{GLOBEX_PUMP_01}/aspects"), 404)
    assert_error(call(f"{ASSETS}/{PUMP_01}/aspects", size=201), 400)


def test_asset_detail_is_the_listed_asset(call):
    [listed] = call(ASSETS, filter=json.dumps({"name": "Pump 01"})).json()["_embedded"]["assets"]

    response = call(listed["_links"]["self"]["href"])

    assert response.status_code == 200
    assert response.json() == listed


@pytest.mark.parametrize("missing", [GLOBEX_PUMP_01, "0" * 32, "no-such-asset"])
def test_asset_detail_of_another_tenant_or_unknown_is_404(call, missing):
    error = assert_error(call(f"{ASSETS}/{missing}"), 404)

    assert error["code"] == "mdsp.core.assetmanagement.notFound"


# --- tenant isolation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user, names",
    [
        (ACME_ADMIN, ACME_NAMES),
        (ACME_USER, ACME_NAMES),
        (ACME_CONSULTANT, ACME_NAMES),
        (GLOBEX_ADMIN, GLOBEX_NAMES),
        (GLOBEX_CONSULTANT, GLOBEX_NAMES),
    ],
    ids=["acme-admin", "acme-user", "acme-consultant", "globex-admin", "globex-consultant"],
)
def test_a_token_sees_only_its_tenants_assets(call, user, names):
    tenant = user[0]
    assets = all_assets(call, user)

    assert sorted(asset["name"] for asset in assets) == sorted(names)
    assert {asset["tenantId"] for asset in assets} == {tenant}
    assert {asset["assetId"] for asset in assets} == {asset_id(tenant, name) for name in names}


def test_the_consultant_sees_different_assets_per_tenant(call):
    in_acme = {asset["assetId"] for asset in all_assets(call, ACME_CONSULTANT)}
    in_globex = {asset["assetId"] for asset in all_assets(call, GLOBEX_CONSULTANT)}

    assert len(in_acme) == 28 and len(in_globex) == 7
    assert not in_acme & in_globex


def test_a_globex_asset_is_not_reachable_with_an_acme_token(call):
    assert call(f"{ASSETS}/{GLOBEX_PUMP_01}", GLOBEX_ADMIN).status_code == 200
    assert call(f"{ASSETS}/{PUMP_01}", GLOBEX_ADMIN).status_code == 404


@pytest.mark.parametrize(
    "user, entity",
    [(ACME_ADMIN, GLOBEX_PUMP_01), (ACME_CONSULTANT, GLOBEX_PUMP_01), (GLOBEX_CONSULTANT, PUMP_01)],
)
def test_time_series_of_another_tenants_asset_is_404(call, user, entity):
    assert_time_series_error(call(f"{TIMESERIES}/{entity}/Environment", user), 404)


# --- IoT Time Series ----------------------------------------------------------------------------


def series(call, entity: str = PUMP_01, property_set: str = "Environment", **params) -> list[dict]:
    response = call(f"{TIMESERIES}/{entity}/{property_set}", **params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "entity, property_set, variables",
    [
        (PUMP_01, "Environment", ["temperature", "humidity"]),
        (PUMP_01, "PumpData", ["pressure", "flow"]),
        (asset_id("acme", "Motor 02"), "MotorData", ["speed", "current"]),
    ],
)
def test_values_are_the_deterministic_series_at_each_minute(call, entity, property_set, variables):
    records = series(call, entity, property_set, **{"from": iso(START), "to": iso(START + 60 * MINUTE)})

    assert len(records) == 60
    for step, record in enumerate(records, start=1):
        moment = START + step * MINUTE
        assert record["_time"] == timeseries.format_time(moment) == iso(moment).replace("Z", ".000Z")
        expected = {"_time": record["_time"]}
        for variable in variables:
            expected[variable] = timeseries.value_at(entity, variable, moment)
        if property_set == "MotorData":  # only `current` has a quality code
            expected["current_qc"] = timeseries.quality_at(entity, "current", moment)
        assert record == expected


@pytest.mark.parametrize(
    "start, end, first, count",
    [
        ("2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z", "2026-01-01T00:01:00.000Z", 5),
        ("2026-01-01T00:00:30Z", "2026-01-01T00:05:30Z", "2026-01-01T00:01:00.000Z", 5),
        ("2026-01-01T00:00:00.001Z", "2026-01-01T00:04:59.999Z", "2026-01-01T00:01:00.000Z", 4),
        ("2026-01-01T01:00:00+01:00", "2026-01-01T00:05:00Z", "2026-01-01T00:01:00.000Z", 5),
        ("2026-01-01T00:04:00Z", "2026-01-01T00:05:00Z", "2026-01-01T00:05:00.000Z", 1),
        ("2026-01-01T00:04:10Z", "2026-01-01T00:04:50Z", None, 0),
    ],
)
def test_from_is_exclusive_and_to_is_inclusive(call, start, end, first, count):
    times = [record["_time"] for record in series(call, **{"from": start, "to": end})]

    assert len(times) == count
    if count:
        assert times[0] == first
        assert [parse_time(b) - parse_time(a) for a, b in zip(times, times[1:], strict=False)] == [MINUTE] * (count - 1)


@pytest.mark.parametrize("sort", ["asc", "desc"])
@pytest.mark.parametrize("limit, pages", [(50, 4), (60, 3), (179, 2), (2000, 1)])
def test_link_header_pages_through_the_range_without_gaps(call, sort, limit, pages):
    end = START + 180 * MINUTE
    response = call(
        f"{TIMESERIES}/{PUMP_01}/Environment", **{"from": iso(START), "to": iso(end), "limit": limit, "sort": sort}
    )
    records, sizes = [], []
    while True:
        assert response.status_code == 200, response.text
        sizes.append(len(response.json()))
        records.extend(response.json())
        if "next" not in response.links:
            break
        assert response.headers["Link"].endswith('>; rel="next"')
        response = call(response.links["next"]["url"])

    assert len(sizes) == pages
    assert all(size == limit for size in sizes[:-1]) and 0 < sizes[-1] <= limit
    expected = [START + step * MINUTE for step in range(1, 181)]
    if sort == "desc":
        expected.reverse()
    assert [parse_time(record["_time"]) for record in records] == expected
    assert all(
        record["temperature"] == timeseries.value_at(PUMP_01, "temperature", parse_time(record["_time"]))
        for record in records
    )


def test_limit_without_more_records_has_no_link(call):
    response = call(
        f"{TIMESERIES}/{PUMP_01}/Environment", **{"from": iso(START), "to": iso(START + 5 * MINUTE), "limit": 5}
    )

    assert len(response.json()) == 5
    assert "Link" not in response.headers


@pytest.mark.parametrize(
    "select, keys",
    [
        ("temperature", {"_time", "temperature"}),
        ("temperature,humidity", {"_time", "temperature", "humidity"}),
        ("_time,humidity", {"_time", "humidity"}),
    ],
)
def test_select_returns_only_the_chosen_variables(call, select, keys):
    records = series(call, select=select, **{"from": iso(START), "to": iso(START + 3 * MINUTE)})

    assert len(records) == 3
    assert all(set(record) == keys for record in records)


def test_sort_desc_gives_newest_first(call):
    records = series(call, sort="desc", **{"from": iso(START), "to": iso(START + 10 * MINUTE)})

    assert [parse_time(record["_time"]) for record in records] == [START + step * MINUTE for step in range(10, 0, -1)]


def test_only_variables_with_a_quality_code_carry_one(call):
    pump = series(call, entity=PUMP_01, property_set="PumpData", **{"from": iso(START), "to": iso(START + 30 * MINUTE)})
    assert all(set(record) == {"_time", "pressure", "flow"} for record in pump)

    day = series(
        call,
        entity=MOTOR_02,
        property_set="MotorData",
        limit=2000,
        **{"from": iso(START), "to": iso(START + timedelta(days=1))},
    )
    assert all(set(record) == {"_time", "speed", "current", "current_qc"} for record in day)
    codes = [record["current_qc"] for record in day]
    # OPC UA codes: good (0), uncertain (0x40920000) and bad (0x80000000) stretches, by the minute.
    assert codes == [timeseries.quality_at(MOTOR_02, "current", parse_time(record["_time"])) for record in day]
    assert codes.count(timeseries.BAD) == 4 * 15 and codes.count(timeseries.UNCERTAIN) == 4 * 10
    selected = series(
        call,
        entity=MOTOR_02,
        property_set="MotorData",
        select="current_qc",
        **{"from": iso(START), "to": iso(START + MINUTE)},
    )
    assert set(selected[0]) == {"_time", "current_qc"}


def test_a_one_hertz_aspect_records_every_second_in_pages_of_2000(call):
    start, end = START, START + timedelta(hours=1)
    response = call(f"{TIMESERIES}/{MOTOR_02}/Vibration", **{"from": iso(start), "to": iso(end)})
    records = response.json()
    assert len(records) == 2000 and 'rel="next"' in response.headers["Link"]
    assert [parse_time(record["_time"]) for record in records[:3]] == [
        start + timedelta(seconds=second) for second in (1, 2, 3)
    ]
    moment = start + timedelta(seconds=1)
    assert records[0]["velocity"] == timeseries.value_at(MOTOR_02, "velocity", moment, timedelta(seconds=1))
    assert records[0]["velocity_qc"] == timeseries.quality_at(MOTOR_02, "velocity", moment)


def test_no_range_gives_the_latest_record(call):
    before = datetime.now(UTC)
    records = series(call)
    after = datetime.now(UTC)

    assert len(records) == 1
    [record] = records
    moment = parse_time(record["_time"])
    # The minute the call was answered in: an order of events, not a window of time.
    assert before.replace(second=0, microsecond=0) <= moment <= after
    assert moment.second == moment.microsecond == 0
    assert record == {
        "_time": record["_time"],
        "temperature": timeseries.value_at(PUMP_01, "temperature", moment),
        "humidity": timeseries.value_at(PUMP_01, "humidity", moment),
    }


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-01-01T00:00:00Z"},
        {"to": "2026-01-01T00:00:00Z"},
        {"from": "2026-01-01T01:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"from": "yesterday", "to": "2026-01-01T00:00:00Z"},
        {"from": "2026-01-01T00:00:00", "to": "2026-01-01T01:00:00"},
        {"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T01:00:00Z", "limit": "0"},
        {"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T01:00:00Z", "limit": "2001"},
        {"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T01:00:00Z", "select": "speed"},
        {
            "from": "2026-01-01T00:00:00Z",
            "to": "2026-01-01T01:00:00Z",
            "select": "humidity_qc",
        },  # it has no quality code
        {"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T01:00:00Z", "sort": "newest"},
    ],
    ids=lambda params: "&".join(f"{key}={value}" for key, value in params.items()),
)
def test_bad_time_series_query_is_a_400(call, params):
    assert_time_series_error(call(f"{TIMESERIES}/{PUMP_01}/Environment", **params), 400)


@pytest.mark.parametrize(
    "entity, property_set",
    [(PUMP_01, "Vibration"), (PUMP_01, "MotorData"), (PUMP_01, "environment"), ("0" * 32, "Environment")],
)
def test_unknown_entity_or_property_set_is_404(call, entity, property_set):
    assert_time_series_error(call(f"{TIMESERIES}/{entity}/{property_set}"), 404)


# --- bearer checks ------------------------------------------------------------------------------

ENDPOINTS = [ASSETS, f"{ASSETS}/{PUMP_01}", f"{TIMESERIES}/{PUMP_01}/Environment"]


def assert_unauthorized(response: requests.Response) -> None:
    error = assert_error(response, 401)
    assert error["code"] == "mdsp.core.gateway.unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture(scope="module")
def stranger_key() -> str:
    """An RSA key the emulator has never seen."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def parts(token: str) -> tuple[dict, dict]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic YWRtaW46ZGVtbw==", "Bearer not-a-jwt", "Bearer a.b.c"],
    ids=repr,
)
def test_missing_or_malformed_bearer_is_401(emulator, http, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}

    assert_unauthorized(http.get(f"{emulator.gateway}{path}", headers=headers, timeout=10))


def test_a_refresh_token_is_not_a_bearer_token(emulator, http, tokens):
    refresh_token = tokens(ACME_ADMIN)["refresh_token"]

    assert_unauthorized(
        http.get(f"{emulator.gateway}{ASSETS}", headers={"Authorization": f"Bearer {refresh_token}"}, timeout=10)
    )


@pytest.fixture(scope="module")
def forged_tokens(tokens, stranger_key: str) -> dict[str, str]:
    """Tokens made from acme's admin's real token, each wrong in one way (made once: RSA signing is slow)."""
    header, claims = parts(tokens(ACME_ADMIN)["access_token"])
    globex_kid = parts(tokens(GLOBEX_ADMIN)["access_token"])[0]["kid"]
    return {
        "stranger key, real kid": jwt.encode(claims, stranger_key, algorithm="RS256", headers={"kid": header["kid"]}),
        "stranger key, unknown kid": jwt.encode(
            claims, stranger_key, algorithm="RS256", headers={"kid": "key-acme-00000000"}
        ),
        "stranger key, no kid": jwt.encode(claims, stranger_key, algorithm="RS256"),
        "alg none, real kid": jwt.encode(claims, None, algorithm="none", headers={"kid": header["kid"]}),
        "HS256 with the public key's kid": jwt.encode(
            claims, "a shared secret that nobody should accept", algorithm="HS256", headers={"kid": header["kid"]}
        ),
        "ten altered, acme kid": jwt.encode(
            {**claims, "ten": "globex"}, stranger_key, algorithm="RS256", headers={"kid": header["kid"]}
        ),
        "ten altered, globex kid": jwt.encode(
            {**claims, "ten": "globex"}, stranger_key, algorithm="RS256", headers={"kid": globex_kid}
        ),
        "scope altered, real kid": jwt.encode(
            {**claims, "scope": ["mobilestarter.admin"]},
            stranger_key,
            algorithm="RS256",
            headers={"kid": header["kid"]},
        ),
        "signature of another token": ".".join(
            tokens(ACME_ADMIN)["access_token"].split(".")[:2] + tokens(ACME_USER)["access_token"].split(".")[2:]
        ),
    }


FORGERIES = [
    "stranger key, real kid",
    "stranger key, unknown kid",
    "stranger key, no kid",
    "alg none, real kid",
    "HS256 with the public key's kid",
    "ten altered, acme kid",
    "ten altered, globex kid",
    "scope altered, real kid",
    "signature of another token",
]


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forged_token_is_401(emulator, http, forged_tokens, forgery):
    # One endpoint is enough here: all three share the bearer check, which the header tests show.
    token = forged_tokens[forgery]

    assert_unauthorized(
        http.get(f"{emulator.gateway}{ASSETS}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    )


def test_the_unforged_token_passes(emulator, http, tokens):
    # The forgeries above start from this token; it must itself be accepted for them to mean anything.
    token = tokens(ACME_ADMIN)["access_token"]

    assert http.get(f"{emulator.gateway}{ASSETS}", headers={"Authorization": f"Bearer {token}"}, timeout=10).ok


def test_a_token_fetched_under_another_host_name_is_accepted(emulator, http):
    # The app may reach sign-in as localhost and the gateway as 127.0.0.1 (on MindSphere they are
    # different hosts anyway); the token's issuer then names the other host.
    with requests.Session() as session:
        elsewhere = dataclasses.replace(emulator, url=emulator.url.replace("127.0.0.1", "localhost"), session=session)
        token = oauth_client.sign_in(elsewhere, "acme", "user@acme.example")["access_token"]
    assert urlsplit(parts(token)[1]["iss"]).hostname == "localhost"

    response = http.get(f"{emulator.gateway}{ASSETS}", headers={"Authorization": f"Bearer {token}"}, timeout=10)

    assert response.status_code == 200, response.text


def test_expired_token_is_401(in_emulator):
    # Accepted until `exp`, 401 "expired" after: in-process, on a clock the scenario moves.
    in_emulator("access_token_expires_at_the_gateway", EMULATOR_ACCESS_TOKEN_SECONDS=60)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_token_without_app_scope_is_403(call, path):
    error = assert_error(call(path, ACME_NOROLE), 403)

    assert error["code"] == "mdsp.core.gateway.forbidden"


# --- IoT Time Series Aggregates v4 ------------------------------------------------------------------

AGGREGATES = "/api/iottsaggregates/v4/aggregates"


def expected_summary(entity: str, variable: str, low: datetime, high: datetime) -> dict:
    """The aggregate of (low, high] computed here from value_at, minute by minute."""
    times = [low + MINUTE * (offset + 1) for offset in range(int((high - low) / MINUTE))]
    values = [timeseries.value_at(entity, variable, moment) for moment in times]
    low_at, high_at = values.index(min(values)), values.index(max(values))
    return {
        "countgood": len(values),
        "countuncertain": 0,
        "countbad": 0,
        "minvalue": min(values),
        "mintime": iso(times[low_at]),
        "maxvalue": max(values),
        "maxtime": iso(times[high_at]),
        "firstvalue": values[0],
        "firsttime": iso(times[0]),
        "lastvalue": values[-1],
        "lasttime": iso(times[-1]),
    }


def test_aggregates_summarise_each_interval_of_the_deterministic_series(call):
    response = call(
        AGGREGATES,
        assetId=PUMP_01,
        aspectName="PumpData",
        select="pressure",
        **{"from": iso(START), "to": iso(START + timedelta(hours=3)), "intervalUnit": "hour", "intervalValue": "1"},
    )
    assert response.status_code == 200, response.text
    items = response.json()["aggregates"]
    assert [(item["starttime"], item["endtime"]) for item in items] == [
        (iso(START + timedelta(hours=hour)), iso(START + timedelta(hours=hour + 1))) for hour in range(3)
    ]
    for item in items:
        assert set(item) == {"starttime", "endtime", "pressure"}
        low, high = parse_time(item["starttime"]), parse_time(item["endtime"])
        summary = item["pressure"]
        assert {key: summary[key] for key in expected_summary(PUMP_01, "pressure", low, high)} == expected_summary(
            PUMP_01, "pressure", low, high
        )
        assert summary["sum"] == pytest.approx(summary["average"] * 60)
        assert summary["sd"] >= 0


def test_aggregates_widen_the_range_to_whole_intervals_and_default_to_all_variables(call):
    response = call(
        AGGREGATES,
        assetId=PUMP_01,
        aspectName="Environment",
        **{
            "from": iso(START + timedelta(minutes=70)),
            "to": iso(START + timedelta(minutes=170)),
            "intervalUnit": "hour",
            "intervalValue": "1",
        },
    )
    items = response.json()["aggregates"]
    assert [item["starttime"] for item in items] == [iso(START + timedelta(hours=1)), iso(START + timedelta(hours=2))]
    assert set(items[0]) == {"starttime", "endtime", "temperature", "humidity"}


def test_aggregates_choose_the_largest_interval_that_fits_when_none_is_given(call):
    short = call(
        AGGREGATES,
        assetId=PUMP_01,
        aspectName="PumpData",
        **{"from": iso(START), "to": iso(START + timedelta(minutes=10))},
    )
    assert len(short.json()["aggregates"]) == 5  # 2-minute intervals
    days = call(
        AGGREGATES, assetId=PUMP_01, aspectName="PumpData", **{"from": iso(START), "to": iso(START + timedelta(days=3))}
    )
    assert len(days.json()["aggregates"]) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"aspectName": "PumpData"},  # no asset
        {
            "assetId": PUMP_01,
            "aspectName": "PumpData",
            "intervalUnit": "minute",
            "intervalValue": "3",
        },  # not a multiple of 2
        {"assetId": PUMP_01, "aspectName": "PumpData", "intervalUnit": "hour"},  # unit without value
        {"assetId": PUMP_01, "aspectName": "PumpData", "intervalUnit": "fortnight", "intervalValue": "1"},
        {"assetId": PUMP_01, "aspectName": "PumpData", "select": "nope"},
        {
            "assetId": PUMP_01,
            "aspectName": "PumpData",
            "from": iso(START),
            "to": iso(START + timedelta(days=2)),
            "intervalUnit": "minute",
            "intervalValue": "10",
        },  # 288 intervals
        {
            "assetId": PUMP_01,
            "aspectName": "PumpData",
            "from": iso(START),
            "to": iso(START + timedelta(days=31)),
            "intervalUnit": "hour",
            "intervalValue": "4",
        },  # too long for hours
        {"assetId": PUMP_01, "aspectName": "PumpData", "from": iso(START), "to": iso(START)},
    ],
)
def test_bad_aggregates_query_is_a_400(call, params):
    assert_error(call(AGGREGATES, **params), 400)


def test_aggregates_of_another_tenants_asset_are_404(call):
    assert_error(call(AGGREGATES, assetId=GLOBEX_PUMP_01, aspectName="PumpData"), 404)
    assert_error(call(AGGREGATES, assetId=PUMP_01, aspectName="MotorData"), 404)


def test_two_hundred_intervals_fit_in_one_answer(call):
    response = call(
        AGGREGATES,
        assetId=PUMP_01,
        aspectName="PumpData",
        select="flow",
        **{"from": iso(START), "to": iso(START + timedelta(hours=200)), "intervalUnit": "hour", "intervalValue": "1"},
    )
    assert response.status_code == 200 and len(response.json()["aggregates"]) == 200
