"""One look at a fleet (fleet.survey): every asset, those not reporting, and how few calls it takes.

Unit tests with a fake client for paging, aspect types, 404s and the rate limit; then the demo
tenants of the live emulator, read with the app's own token, counting every gateway call.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from fleet import survey as survey_module
from fleet.survey import survey
from mindsphere.api import MindSphereClient
from mindsphere.exceptions import MindSphereAPIError, RateLimitedError
from mindsphere.gateway import Gateway
from mindsphere.technical import TechnicalTokens
from mindsphere.timeseries import format_time

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(hours=1)


class FakeClient:
    """Assets with aspects and latest records, as the gateway would answer; counts the calls."""

    def __init__(
        self, assets: list[dict], aspects: dict[str, list[dict]], latest: dict[tuple[str, str], datetime | None]
    ):
        self.assets, self.aspect_lists, self.latest = assets, aspects, latest
        self.calls: list[tuple] = []
        self.failures: dict[tuple, list[Exception]] = {}

    def _call(self, *key):
        self.calls.append(key)
        pending = self.failures.get(key)
        if pending:
            raise pending.pop(0)

    def assets_page(self, *, page: int, size: int, sort: str) -> dict:
        self._call("assets", page)
        rows = self.assets[page * size : (page + 1) * size]
        pages = max(1, -(-len(self.assets) // size))
        return {
            "_embedded": {"assets": rows},
            "page": {"size": size, "totalElements": len(self.assets), "totalPages": pages, "number": page},
        }

    def aspects(self, asset_id: str) -> list[dict]:
        self._call("aspects", asset_id)
        if asset_id not in self.aspect_lists:
            raise MindSphereAPIError(404, "gone")
        return self.aspect_lists[asset_id]

    def latest_record(self, asset_id: str, aspect: str) -> dict | None:
        self._call("latest", asset_id, aspect)
        moment = self.latest.get((asset_id, aspect))
        return {"_time": format_time(moment), "value": 1} if moment else None


def dynamic(*names: str) -> list[dict]:
    return [{"name": name, "category": "dynamic"} for name in names] + [{"name": "Nameplate", "category": "static"}]


def pump(number: int, type_id: str = "acme.Pump") -> dict:
    return {"assetId": f"p{number:03d}", "name": f"Pump {number:03d}", "typeId": type_id}


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(survey_module, "sleep", waited.append)
    return waited


def test_every_page_of_assets_is_read_and_each_type_asked_once():
    assets = [pump(n) for n in range(450)]
    client = FakeClient(
        assets, {"p000": dynamic("Environment", "PumpData")}, {(a["assetId"], "Environment"): NOW for a in assets}
    )
    result = survey(client, CUTOFF)
    assert result.asset_count == 450 and result.not_reporting == []
    assert [call for call in client.calls if call[0] == "assets"] == [("assets", 0), ("assets", 1), ("assets", 2)]
    assert [call for call in client.calls if call[0] == "aspects"] == [("aspects", "p000")]
    assert len(client.calls) == 3 + 1 + 450  # pages, the type's aspects, one latest record each


def test_an_asset_reports_when_any_of_its_aspects_has_a_recent_record():
    assets = [pump(1), pump(2), pump(3)]
    latest = {
        ("p001", "Environment"): NOW,  # recent at once: one call
        ("p002", "Environment"): NOW - timedelta(hours=5),
        ("p002", "PumpData"): NOW - timedelta(minutes=5),  # recent in the second aspect
        ("p003", "Environment"): NOW - timedelta(hours=7),
        ("p003", "PumpData"): NOW - timedelta(hours=6),
    }
    client = FakeClient(assets, {"p001": dynamic("Environment", "PumpData")}, latest)
    result = survey(client, CUTOFF)
    assert result.not_reporting == [{"assetId": "p003", "name": "Pump 003", "lastSeen": "2026-03-01T06:00:00.000Z"}]
    assert ("latest", "p001", "PumpData") not in client.calls


def test_never_reported_has_no_last_seen_and_assets_without_time_series_do_not_count():
    site = {"assetId": "site", "name": "Plant", "typeId": "acme.Site"}
    assets = [site, pump(1)]
    client = FakeClient(
        assets, {"site": [{"name": "Address", "category": "static"}], "p001": dynamic("Environment")}, {}
    )
    result = survey(client, CUTOFF)
    assert result.asset_count == 2
    assert result.not_reporting == [{"assetId": "p001", "name": "Pump 001", "lastSeen": None}]


def test_assets_without_a_type_are_asked_each_for_itself():
    assets = [pump(1, type_id=""), pump(2, type_id="")]
    aspects = {"p001": dynamic("Environment"), "p002": dynamic("Environment")}
    client = FakeClient(assets, aspects, {("p001", "Environment"): NOW, ("p002", "Environment"): NOW})
    survey(client, CUTOFF)
    assert [call for call in client.calls if call[0] == "aspects"] == [("aspects", "p001"), ("aspects", "p002")]


def test_an_asset_deleted_while_reading_is_left_out():
    client = FakeClient(
        [pump(1, type_id=""), pump(2)], {"p002": dynamic("Environment")}, {("p002", "Environment"): NOW}
    )
    result = survey(client, CUTOFF)
    assert result.asset_count == 2 and result.not_reporting == []


def test_the_rate_limit_is_waited_out(no_waiting):
    client = FakeClient([pump(1)], {"p001": dynamic("Environment")}, {("p001", "Environment"): NOW})
    client.failures[("latest", "p001", "Environment")] = [
        RateLimitedError("429", retry_after=2),
        RateLimitedError("429"),
    ]
    ticks = []
    assert survey(client, CUTOFF, progress=lambda: ticks.append(len(no_waiting))).not_reporting == []
    assert no_waiting == [2, 2]  # the server's Retry-After, then 1, 2, 4 s
    assert ticks == [0, 1, 2]  # the run renews its hold before each wait, and after the asset


def test_a_rate_limit_that_lasts_ends_the_run(no_waiting):
    client = FakeClient([pump(1)], {"p001": dynamic("Environment")}, {})
    client.failures[("assets", 0)] = [RateLimitedError("429", retry_after=2) for _ in range(10)]
    with pytest.raises(RateLimitedError):
        survey(client, CUTOFF)
    assert no_waiting == [2, 2, 2]


def test_a_long_retry_after_ends_the_run_at_once(no_waiting):
    client = FakeClient([pump(1)], {}, {})
    client.failures[("assets", 0)] = [RateLimitedError("429", retry_after=600)]
    with pytest.raises(RateLimitedError):
        survey(client, CUTOFF)
    assert no_waiting == []


def test_progress_is_reported_after_each_asset():
    ticks = []
    client = FakeClient([pump(1), pump(2)], {"p001": dynamic("Environment")}, {})
    survey(client, CUTOFF, progress=lambda: ticks.append(1))
    assert len(ticks) == 2


# --- the demo tenants of the live emulator ------------------------------------------------------------


def asset_id(tenant: str, name: str) -> str:
    return hashlib.md5(f"{tenant}/{name}".encode()).hexdigest()  # as emulator.demo.asset_id_for


@pytest.fixture
def counted_calls(monkeypatch, settings, clean_emulator) -> list[str]:
    settings.MINDSPHERE_GATEWAY_URL = clean_emulator.gateway
    cache.clear()
    paths: list[str] = []
    original = Gateway.get

    def get(self, path, params=None):
        paths.append(path)
        return original(self, path, params)

    monkeypatch.setattr(Gateway, "get", get)
    return paths


@pytest.mark.parametrize(
    ("tenant", "count", "silent", "calls"),
    [
        # 1 page + 3 types' aspects + 25 reporting assets x 1 + Pump 13 (2 aspects), Motor 20 (3), Compressor 24 (2)
        ("acme", 28, {"Compressor 24": 30, "Motor 20": 12, "Pump 13": 6}, 1 + 3 + 25 + 2 + 3 + 2),
        ("globex", 7, {"Globex Motor 05": 8}, 1 + 3 + 6 + 3),
    ],
)
def test_the_demo_tenants(counted_calls, tenant, count, silent, calls):
    now = datetime.now(UTC)
    result = survey(MindSphereClient(TechnicalTokens(tenant), tenant), now - timedelta(hours=1))
    assert result.asset_count == count
    assert [row["name"] for row in result.not_reporting] == sorted(silent)
    for row in result.not_reporting:
        assert row["assetId"] == asset_id(tenant, row["name"])
        hours_ago = (now - datetime.fromisoformat(row["lastSeen"].replace("Z", "+00:00"))) / timedelta(hours=1)
        assert silent[row["name"]] - 0.1 < hours_ago < silent[row["name"]] + 0.1
    assert len(counted_calls) == calls
