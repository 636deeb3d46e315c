"""The CSV export task, run eagerly in the test process against the live emulator."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from assets.models import Export
from assets.tasks import FORMULA_STARTS, PLAIN_NUMBER, delete_old_exports, export_time_series, spreadsheet_safe
from emulator.timeseries import format_time, value_at
from project.celery import app as celery_app
from sso.models import TokenRecord
from sso.tasks import delete_expired_token_records

PUMP = hashlib.md5(b"acme/Pump 01").hexdigest()  # emulator.demo.asset_id_for, without loading its models
START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_export(record: TokenRecord, *, hours: int = 3, **fields) -> Export:
    values = {
        "user": record.user,
        "tenant": record.tenant,
        "token_record": record,
        "asset_id": PUMP,
        "asset_name": "Pump 01",
        "property_set": "Environment",
        "variables": ["temperature", "humidity"],
        "start": START,
        "end": START + timedelta(hours=hours),
    }
    values.update(fields)
    return Export.objects.create(**values)


def expected_rows(export: Export) -> list[list[str]]:
    rows = [["_time", *export.variables]]
    moment = export.start + timedelta(minutes=1)
    while moment <= export.end:
        rows.append([format_time(moment), *(str(value_at(export.asset_id, v, moment)) for v in export.variables)])
        moment += timedelta(minutes=1)
    return rows


def csv_rows(export: Export) -> list[list[str]]:
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode())))


@pytest.fixture
def signed_in(app):
    app.sign_in("acme", "user@acme.example")
    return TokenRecord.objects.get()


def test_export_runs_to_100_percent_with_exact_rows(eager, media, signed_in):
    export = make_export(signed_in, hours=40)  # 2400 rows: two pages of the API
    export_time_series.delay(export.pk)
    export.refresh_from_db()
    assert (export.status, export.progress, export.rows) == (Export.Status.DONE, 100, 2400)
    assert csv_rows(export) == expected_rows(export)
    assert export.file.name.startswith("exports/") and export.file.name.endswith(".csv")


def test_gateway_outage_is_retried_then_succeeds(eager, media, signed_in, clean_emulator):
    clean_emulator.fault(mode="503", target="gateway", calls=2, tenant="acme")
    export = make_export(signed_in)
    export_time_series.delay(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert export.attempts == 3
    assert csv_rows(export) == expected_rows(export)


def test_gateway_outage_that_lasts_fails_plainly(eager, media, signed_in, clean_emulator, settings):
    settings.ASSETS_EXPORT_MAX_RETRIES = 2
    clean_emulator.fault(mode="503", target="gateway", calls=10, tenant="acme")
    export = make_export(signed_in)
    export_time_series.delay(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert "not reachable" in export.message
    assert not export.file


def test_signed_out_person_gets_a_sign_in_again_message(eager, media, signed_in):
    export = make_export(signed_in)
    signed_in.delete()  # the person signed out: the export's record is gone
    export_time_series.delay(export.pk)
    export.refresh_from_db()
    assert (export.status, export.message_code) == (Export.Status.FAILED, "signed_out")
    assert export.message.startswith("Your MindSphere session ended before the export finished.")


def test_refresh_expiry_during_export_stops_it(eager, media, signed_in):
    TokenRecord.objects.update(refresh_expires_at=timezone.now() - timedelta(seconds=1))
    export = make_export(signed_in)
    export_time_series.delay(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and "Sign in again" in export.message


def test_expired_access_token_is_refreshed_once(eager, media, signed_in, emulator):
    TokenRecord.objects.update(access_expires_at=timezone.now())
    before = emulator.stats()["tenants"]["acme"]["refreshes"]
    export = make_export(signed_in, hours=40)
    export_time_series.delay(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert emulator.stats()["tenants"]["acme"]["refreshes"] == before + 1


def test_a_finished_export_is_not_run_again(eager, media, signed_in):
    export = make_export(signed_in)
    export_time_series.delay(export.pk)
    export.refresh_from_db()
    first_file = export.file.name
    export_time_series.delay(export.pk)  # a second delivery of the same message
    export.refresh_from_db()
    assert export.file.name == first_file and export.attempts == 1


def test_a_file_name_the_storage_refuses_fails_the_export_plainly(eager, media, signed_in, monkeypatch):
    # Django refuses names with path parts ("Detected path traversal attempt"): failed, not stuck running.
    monkeypatch.setattr(Export, "filename", property(lambda export: "../outside.csv"))
    export = make_export(signed_in)
    export_time_series.delay(export.pk)
    export.refresh_from_db()
    assert (export.status, export.message_code) == (Export.Status.FAILED, "file_name")
    assert export.message.startswith("The export file could not be saved")
    assert not export.file and export.finished is not None
    assert not list(media.parent.rglob("outside.csv"))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tstarts with a tab", "'\tstarts with a tab"),
        ("\rstarts with CR", "'\rstarts with CR"),
        ("-", "'-"),
        (-3.5, -3.5),  # numbers stay numbers
        (-12, -12),
        ("-3.5", "-3.5"),
        ("+4e-3", "+4e-3"),
        ("2026-11-01T00:01:00.000Z", "2026-11-01T00:01:00.000Z"),
        ("temperature", "temperature"),
        ("", ""),
        (None, None),
        (0, 0),
    ],
)
def test_spreadsheet_safe_cells(value, written):
    assert spreadsheet_safe(value) == written


ATTACKS = [
    ";=1+1",
    "a;=HYPERLINK(1)",
    "x,=1+1",
    'ok;"=1+1"',
    "ok;'=cmd",
    "tab\t@SUM(1)",
    "line\n=1+1",
    "a;-2+3",
    "a,+1",
    ";;@x",
    "=1;=2,=3",
]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_no_cell_is_a_formula_whichever_separator_the_spreadsheet_splits_at(delimiter):
    """Written as the export writes (the comma dialect), read as Excel does with English (`,`) or
    German (`;`) list separators: no cell starts a formula."""
    handle = io.StringIO(newline="")
    csv.writer(handle).writerows([[spreadsheet_safe(attack), "-3.5", 7] for attack in ATTACKS])
    for row in csv.reader(io.StringIO(handle.getvalue(), newline=""), delimiter=delimiter):
        for cell in row:
            for piece in cell.split("\n"):
                piece = piece.strip('"')
                assert not piece.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(piece), (delimiter, cell)


def test_housekeeping_deletes_exactly_the_expired_records_and_their_sessions(app):
    app.sign_in("acme", "user@acme.example")
    app.sign_in("acme", "admin@acme.example")
    expired, kept = TokenRecord.objects.order_by("pk")
    TokenRecord.objects.filter(pk=expired.pk).update(refresh_expires_at=timezone.now() - timedelta(seconds=1))
    assert delete_expired_token_records() == 1
    assert list(TokenRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=kept.session_key).exists()


def test_housekeeping_deletes_exactly_the_old_exports_and_their_files(eager, media, signed_in, settings):
    settings.ASSETS_EXPORT_MAX_AGE_HOURS = 24
    old, recent = make_export(signed_in), make_export(signed_in)
    for export in (old, recent):
        export_time_series.delay(export.pk)
    Export.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(hours=25))
    old.refresh_from_db()
    recent.refresh_from_db()
    old_path = old.file.path
    assert delete_old_exports() == 1
    assert list(Export.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not (media / old.file.name).exists() and not __import__("os").path.exists(old_path)
    assert recent.file.storage.exists(recent.file.name)
