"""The app against the emulator's real-API shapes, over real HTTP.

Templated URLs ({region}, {tenant}), time-series variables from `GET /assets/{id}/aspects`,
quality codes, a 1 Hz aspect, Asset Management's page size of 200, IoT Time Series' error body,
and the tenant's rate limit (429).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests

from assets.models import Export
from assets.tasks import export_time_series
from emulator import aggregates, timeseries
from mindsphere.api import MindSphereClient
from mindsphere.assetmanagement import ASSETS_MAX_PAGE_SIZE
from mindsphere.gateway import FixedToken
from project.celery import app as celery_app
from sso import verification
from sso.models import TokenRecord
from tests.assets.test_pages import ACME, HTMX, PUMP_01, asset_id, get, names, table_rows

MOTOR_02 = asset_id("acme", "Motor 02")
SECOND = timedelta(seconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def whole_minutes_ago(minutes: int) -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=minutes)


def end_param(end: datetime) -> str:
    return end.strftime("%Y-%m-%dT%H:%M:%SZ")


def run_export(export: Export) -> None:
    """The export task, run at once in this process (the worker tests run it in a real worker)."""
    celery_app.conf.task_always_eager = True
    try:
        export_time_series.delay(export.pk)
    finally:
        celery_app.conf.task_always_eager = False


@pytest.fixture
def acme_user(app):
    return app.sign_in("acme", "user@acme.example").browser


# --- {region} and {tenant} in the configured URLs ----------------------------------------------------


def test_the_app_works_with_templated_urls_as_the_docs_configure_them(app, settings, emulator):
    # As docs/configuration.md tells people to set them for MindSphere, with the region as a path
    # segment the emulator answers under (on MindSphere it is part of the host names).
    settings.MINDSPHERE_REGION = "eu1"
    settings.MINDSPHERE_AUTH_URL = emulator.url + "/{region}/{tenant}"
    settings.MINDSPHERE_GATEWAY_URL = emulator.url + "/{region}/gateway"
    verification.clear_key_cache()
    try:
        result = app.sign_in("acme", "user@acme.example")
        assert urlsplit(result.hops[1].url).path == "/eu1/acme/oauth/authorize"
        listed = get(app, result.browser, "/assets/")
        assert listed.status_code == 200 and names(listed.text) == ACME[:10]
        page = get(app, result.browser, f"/assets/{PUMP_01}/")
        assert page.status_code == 200 and 'class="chart-svg"' in page.text
        out = app.post(result.browser, "/sso/logout/")
        assert urlsplit(out.headers["Location"]).path == "/eu1/acme/logout.do"
    finally:
        verification.clear_key_cache()
    # An unfilled template reaches nothing: the emulator answers no "{region}".
    assert requests.get(f"{emulator.url}/%7Bregion%7D/acme/token_keys", timeout=10).status_code == 404


# --- aspects: variables from /aspects, static values with the details -----------------------------------


def test_variables_come_from_the_aspects_endpoint_and_static_values_show(app, acme_user):
    page = get(app, acme_user, f"/assets/{MOTOR_02}/")
    assert page.status_code == 200
    options = re.findall(r'<option value="([^"]+)"', page.text)
    assert [option for option in options if "." in option] == [
        "Environment.temperature",
        "Environment.humidity",
        "MotorData.speed",
        "MotorData.current",
        "Vibration.velocity",
    ]
    assert "Nameplate.manufacturer</dt><dd>Acme Motors</dd>" in page.text
    # The export form offers the time-series aspects only (not the static nameplate).
    assert 'value="Vibration"' in page.text and 'value="Nameplate"' not in page.text


# --- quality codes ----------------------------------------------------------------------------------------


def test_the_chart_leaves_bad_values_out_and_counts_uncertain_ones(app, acme_user):
    end = whole_minutes_ago(3)
    page = get(app, acme_user, f"/assets/{MOTOR_02}/?variable=MotorData.current&range=24h&end={end_param(end)}")
    assert page.status_code == 200
    # A day holds four 6-hour periods, each with 15 bad and 10 uncertain minutes.
    assert "60 values of bad quality are left out." in page.text
    assert "40 values of uncertain quality are included." in page.text
    start = end - timedelta(days=1)
    expected = {}
    for minute in range(1, 24 * 60 + 1):
        moment = start + timedelta(minutes=minute)
        if timeseries.severity(timeseries.quality_at(MOTOR_02, "current", moment)) != "bad":
            bucket = start + timedelta(minutes=5 * -(-minute // 5))
            expected.setdefault(bucket, []).append(timeseries.value_at(MOTOR_02, "current", moment))
    rows = table_rows(page.text)
    assert [moment for moment, _ in rows] == sorted(expected)  # buckets of only bad values are gaps
    assert all(abs(value - round(sum(expected[moment]) / len(expected[moment]), 3)) <= 0.0011 for moment, value in rows)
    assert len(rows) < 288


def test_the_csv_carries_the_quality_code(app, acme_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    record = TokenRecord.objects.get()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    export = Export.objects.create(
        user=record.user,
        tenant="acme",
        token_record=record,
        asset_id=MOTOR_02,
        asset_name="Motor 02",
        property_set="MotorData",
        variables=["speed", "current", "current_qc"],
        start=start,
        end=start + timedelta(hours=6),
    )
    run_export(export)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.message
    with export.file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode())))
    assert rows[0] == ["_time", "speed", "current", "current_qc"]
    codes = [int(row[3]) for row in rows[1:]]
    assert codes == [timeseries.quality_at(MOTOR_02, "current", start + timedelta(minutes=n)) for n in range(1, 361)]
    assert {timeseries.BAD, timeseries.UNCERTAIN, 0} <= set(codes)


def test_the_export_form_asks_for_the_quality_codes(app, acme_user):
    page = get(app, acme_user, f"/assets/{MOTOR_02}/")
    token = acme_user.cookies.get("csrftoken")
    today = datetime.now(UTC).date().isoformat()
    response = acme_user.post(
        app.url(f"/assets/{MOTOR_02}/export/"),
        data={"csrfmiddlewaretoken": token, "property_set": "MotorData", "start": today, "end": today},
        headers={"Referer": app.url(f"/assets/{MOTOR_02}/")},
        allow_redirects=False,
        timeout=30,
    )
    assert page.status_code == 200 and response.status_code == 302, response.text[:500]
    assert Export.objects.get().variables == ["speed", "current", "current_qc"]


# --- a 1 Hz aspect --------------------------------------------------------------------------------------


def test_a_day_of_one_hertz_data_is_charted_from_aggregates(app, acme_user, emulator):
    end = whole_minutes_ago(3)
    page = get(app, acme_user, f"/assets/{MOTOR_02}/?variable=Vibration.velocity&range=24h&end={end_param(end)}")
    assert page.status_code == 200
    # 86,400 records don't fit a call of 2000: the first call says there is more, so 10-minute means.
    assert "mean per 10 minutes" in page.text
    rows = table_rows(page.text)
    aligned = end - (end - EPOCH) % timedelta(minutes=10)
    # What the emulator's aggregates hold, computed here from its pure functions (86,400 values).
    expected = [
        (datetime.fromisoformat(item["endtime"].replace("Z", "+00:00")), round(item["velocity"]["average"], 3))
        for item in aggregates.aggregate(
            MOTOR_02,
            ["velocity"],
            aligned - timedelta(days=1),
            aligned,
            aggregates.Interval("minute", 10),
            step=SECOND,
            with_quality={"velocity"},
        )
        if "average" in item["velocity"]  # an interval of bad values only is a gap
    ]
    assert 136 <= len(expected) < 144
    assert rows == expected
    assert "3600 values of bad quality are left out." in page.text  # 60 bad minutes of 60 records


# --- Asset Management pages of at most 200 -----------------------------------------------------------------


def test_load_more_without_javascript_asks_for_pages_of_at_most_200(app, acme_user):
    page = get(app, acme_user, "/assets/?page=30")  # 310 rows asked for: more than one API page may hold
    assert page.status_code == 200
    assert names(page.text) == ACME


def test_first_assets_pages_through_the_api_in_pages_of_200(monkeypatch):
    asked = []

    def assets_page(self, *, page, size, name_contains=""):
        asked.append((page, size))
        rows = [{"name": f"A{n}"} for n in range(page * size, min((page + 1) * size, 450))]
        return {
            "_embedded": {"assets": rows},
            "page": {"totalElements": 450, "totalPages": 3, "number": page, "size": size},
        }

    client = MindSphereClient(FixedToken("never-sent"), "acme", gateway_url="http://127.0.0.1:9/gateway")
    with pytest.raises(ValueError):
        client.assets_page(size=ASSETS_MAX_PAGE_SIZE + 1)  # refused before any call
    monkeypatch.setattr(MindSphereClient, "assets_page", assets_page)
    found, total = client.first_assets(420)
    assert asked == [(0, 200), (1, 200), (2, 200)] and total == 450 and len(found) == 420


# --- IoT Time Series' error body ---------------------------------------------------------------------------


def test_a_time_series_error_shows_the_servers_message(short_lived):
    app, server = short_lived()  # a private emulator: this adds an asset
    server.put_asset(
        "acme",
        "commas",
        "Commas",
        typeId="acme.Odd",
        aspects=[{"name": "Odd", "variables": [{"name": "a,b", "unit": "V"}]}],
    )
    browser = app.sign_in("acme", "user@acme.example").browser
    page = get(app, browser, "/assets/commas/")  # select=a,b: IoT Time Series refuses it with {id, message}
    assert page.status_code == 502
    assert "MindSphere answered with an error: Unknown variable(s) in &#x27;select&#x27;: a, b." in page.text
    assert "MindSphere answered 400" not in page.text


# --- the tenant's rate limit (429) ---------------------------------------------------------------------------


def test_a_rate_limited_list_asks_to_wait_and_keeps_the_person_signed_in(app, acme_user, clean_emulator):
    clean_emulator.fault(mode="429", target="gateway", tenant="acme", calls=2)
    page = get(app, acme_user, "/assets/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "2"
    assert "MindSphere asks to slow down" in page.text and "try again in 2 seconds" in page.text
    fragment = get(app, acme_user, "/assets/?page=1", headers=HTMX)
    assert fragment.status_code == 503 and fragment.json()["error"] == "rate_limited"
    assert fragment.json()["retry_after"] == 2
    again = get(app, acme_user, "/assets/")
    assert again.status_code == 200 and names(again.text) == ACME[:10]
    assert TokenRecord.objects.count() == 1


def test_a_rate_limited_chart_keeps_the_details_and_asks_to_wait(app, acme_user, clean_emulator):
    # Two calls: the series and the latest value, fetched together (which comes first varies).
    clean_emulator.fault(mode="429", target="gateway", tenant="acme", path="/iottimeseries/", calls=2)
    page = get(app, acme_user, f"/assets/{PUMP_01}/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "2"
    assert ">Pump 01</h1>" in page.text
    assert "The time series could not be loaded." in page.text and "try again in 2 seconds" in page.text
    assert get(app, acme_user, f"/assets/{PUMP_01}/").status_code == 200


def test_a_rate_limited_export_waits_and_finishes(app, acme_user, clean_emulator, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    clean_emulator.fault(mode="429", target="gateway", tenant="acme", path="/iottimeseries/", calls=1)
    record = TokenRecord.objects.get()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    export = Export.objects.create(
        user=record.user,
        tenant="acme",
        token_record=record,
        asset_id=PUMP_01,
        asset_name="Pump 01",
        property_set="Environment",
        variables=["temperature"],
        start=start,
        end=start + timedelta(hours=1),
    )
    messages = []
    original = Export.objects.filter

    def watch(*args, **kwargs):  # what the person sees while the task waits
        query = original(*args, **kwargs)
        update = query.update

        def update_and_remember(**fields):
            if "message" in fields and fields["message"]:
                messages.append(fields["message"])
            return update(**fields)

        query.update = update_and_remember
        return query

    monkeypatch.setattr(Export.objects, "filter", watch)
    run_export(export)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.attempts == 2 and export.rows == 60
    assert messages == ["MindSphere asks to slow down (too many requests for your tenant); retrying in 2 s."]
    assert TokenRecord.objects.count() == 1
