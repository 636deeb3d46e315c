"""Asset ids, property sets and variables with names MindSphere's demo data never has, end to end.

A private emulator gets them through its /_emulator/assets control; the live app lists them,
charts them and exports them without a 500, a wrong URL or a stuck export.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from assets.models import Export
from assets.tasks import export_time_series
from emulator.timeseries import format_time, value_at
from project.celery import app as celery_app
from sso.models import TokenRecord
from tests.assets.test_pages import expected_rows, names, table_rows

MINUTE = timedelta(minutes=1)
START = datetime(2026, 11, 1, tzinfo=UTC)
NORMAL = "weird0normal"
DOTS, SLASHED = "..", "../x"  # a property set named "..", and one with a path in it


def negative_variable(asset: str, hours: int) -> str:
    """A variable name starting with "-" whose deterministic series goes below zero in the export's range."""
    for number in range(2000):
        name = f"-level{number}"
        if any(value_at(asset, name, START + MINUTE * k) < 0 for k in range(1, hours * 60 + 1, 5)):
            return name
    raise AssertionError("no variable with negative values found")


FORMULAS = ["=1+2", "@cmd", "+x", negative_variable(NORMAL, 24), "plain"]


@pytest.fixture
def weird(short_lived):
    """The live app on a private emulator whose acme has assets with odd ids and names; a signed-in browser."""
    app, server = short_lived()
    for asset_id, name in [("odd/1", "Weird slash"), ("..", "Weird dots"), ("exports", "Weird exports")]:
        server.put_asset("acme", asset_id, name)
    aspects = [
        {"name": DOTS, "variables": [{"name": "a..b", "unit": "bar"}]},
        {"name": SLASHED, "variables": [{"name": "temperature", "unit": "°C"}]},
        {"name": "Formulas", "variables": [{"name": name} for name in FORMULAS]},
    ]
    server.put_asset("acme", NORMAL, "Weird normal", typeId="acme.Pump", aspects=aspects)
    return app, app.sign_in("acme", "user@acme.example").browser


def get(app, browser, path: str):
    return browser.get(app.url(path), allow_redirects=False, timeout=30)


def test_ids_no_url_can_carry_are_listed_without_a_link(weird, caplog):
    app, browser = weird
    caplog.set_level(logging.WARNING, logger="assets.views")
    response = get(app, browser, "/assets/?q=weird")
    assert response.status_code == 200
    assert sorted(names(response.text)) == ["Weird dots", "Weird exports", "Weird normal", "Weird slash"]
    assert f'href="/assets/{NORMAL}/"' in response.text
    assert response.text.count("This asset's id can't be opened here.") == 3
    results = response.text.index('id="asset-results"')
    rows = response.text[results : response.text.index("</section>", results)]  # the menu links My exports
    for asset_id in ("odd/1", "..", "exports"):
        assert f'href="/assets/{asset_id}/"' not in rows
        assert repr(asset_id) in caplog.text


@pytest.mark.parametrize(("property_set", "variable"), [(DOTS, "a..b"), (SLASHED, "temperature")])
def test_odd_property_set_and_variable_names_chart(weird, property_set, variable):
    app, browser = weird
    end = datetime.now(UTC).replace(second=0, microsecond=0) - 7 * MINUTE
    query = urlencode({"variable": f"{property_set}.{variable}", "end": end.strftime("%Y-%m-%dT%H:%M:%SZ")})
    response = get(app, browser, f"/assets/{NORMAL}/?{query}")
    assert response.status_code == 200, response.text[:500]
    assert table_rows(response.text) == expected_rows(NORMAL, variable, end - timedelta(hours=24), end, 5)
    assert "<svg" in response.text


@pytest.fixture
def eager(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    celery_app.conf.task_always_eager = True
    yield settings.MEDIA_ROOT
    celery_app.conf.task_always_eager = False


def export_of(property_set: str, variables: list[str], hours: int) -> Export:
    record = TokenRecord.objects.get()
    export = Export.objects.create(
        user=record.user,
        tenant="acme",
        token_record=record,
        asset_id=NORMAL,
        asset_name="Weird normal",
        property_set=property_set,
        variables=variables,
        start=START,
        end=START + timedelta(hours=hours),
    )
    export_time_series.delay(export.pk)
    export.refresh_from_db()
    return export


def csv_rows(export: Export) -> list[list[str]]:
    with export.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode())))


def test_a_property_set_with_a_path_in_its_name_exports_to_a_safe_file(weird, eager):
    export = export_of(SLASHED, ["temperature"], hours=3)
    assert (export.status, export.rows) == (Export.Status.DONE, 180), export.message
    assert export.file.name.startswith("exports/Weird-normal-x-") and ".." not in export.file.name
    assert (eager / export.file.name).resolve().is_relative_to(eager.resolve())
    assert csv_rows(export)[1] == [format_time(START + MINUTE), str(value_at(NORMAL, "temperature", START + MINUTE))]


def test_cells_that_would_be_formulas_are_neutralised_and_numbers_stay_numbers(weird, eager):
    export = export_of("Formulas", FORMULAS, hours=24)
    assert export.status == Export.Status.DONE, export.message
    rows = csv_rows(export)
    assert rows[0] == ["_time", "'=1+2", "'@cmd", "'+x", "'" + FORMULAS[3], "plain"]
    expected = [
        [format_time(START + MINUTE * k), *(str(value_at(NORMAL, name, START + MINUTE * k)) for name in FORMULAS)]
        for k in range(1, 24 * 60 + 1)
    ]
    assert rows[1:] == expected
    negatives = [row[4] for row in rows[1:] if row[4].startswith("-")]
    assert negatives and all(float(value) < 0 for value in negatives)  # written as numbers, no quote
