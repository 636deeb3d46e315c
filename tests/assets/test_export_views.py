"""Starting, watching and downloading CSV exports over real HTTP (tasks run eagerly here)."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, timedelta

import pytest

from assets.models import Export
from sso.models import TokenRecord
from tests.app_client import csrf_from

PUMP = hashlib.md5(b"acme/Pump 01").hexdigest()
GLOBEX_PUMP = hashlib.md5(b"globex/Globex Pump 01").hexdigest()


def start(app, browser, asset_id: str = PUMP, *, days: int = 1, htmx: bool = False, **data):
    page = browser.get(app.url(f"/assets/{asset_id}/"), timeout=30)
    today = date.today()
    form = {
        "csrfmiddlewaretoken": csrf_from(page.text),
        "property_set": "Environment",
        "start": (today - timedelta(days=days - 1)).isoformat(),
        "end": today.isoformat(),
        **data,
    }
    headers = {"Referer": page.url, **({"HX-Request": "true"} if htmx else {})}
    return browser.post(
        app.url(f"/assets/{asset_id}/export/"), data=form, headers=headers, allow_redirects=False, timeout=60
    )


def test_export_starts_runs_and_downloads(app, eager):
    browser = app.sign_in("acme", "user@acme.example").browser
    response = start(app, browser)
    assert response.status_code == 302
    export = Export.objects.get()
    assert response.headers["Location"] == f"/assets/exports/{export.pk}/"
    page = browser.get(app.url(response.headers["Location"]), timeout=10)
    assert "Ready" in page.text and "Download CSV" in page.text
    assert 'hx-trigger="every 1s"' not in page.text  # finished: the progress stops polling
    download = browser.get(app.url(f"/assets/exports/{export.pk}/download/"), timeout=10)
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["_time", "temperature", "humidity"]
    export.refresh_from_db()
    assert len(rows) - 1 == export.rows > 0


def test_htmx_start_returns_a_polling_progress_fragment(app, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # not eager: the task stays queued, as if the worker were busy
    browser = app.sign_in("acme", "user@acme.example").browser
    response = start(app, browser, htmx=True)
    assert response.status_code == 201
    export = Export.objects.get()
    assert f'hx-get="/assets/exports/{export.pk}/"' in response.text and 'hx-trigger="every 1s"' in response.text
    assert "<progress" in response.text
    poll = browser.get(app.url(f"/assets/exports/{export.pk}/"), headers={"HX-Request": "true"}, timeout=10)
    assert "<html" not in poll.text and "Waiting to start" in poll.text


@pytest.mark.parametrize(
    ("days", "message"),
    [(31, "at most 30 days"), (0, "must not be before")],
)
def test_bad_ranges_are_refused_plainly(app, eager, days, message):
    browser = app.sign_in("acme", "user@acme.example").browser
    response = start(app, browser, days=days)
    assert response.status_code == 400
    assert message in response.text
    assert Export.objects.count() == 0


@pytest.mark.parametrize("zone", ["UTC", "Etc/GMT+12", "Etc/GMT-14"])
@pytest.mark.parametrize(
    ("start_day", "end_day"),
    [
        ("0001-01-01", "0001-01-02"),
        ("9999-12-30", "9999-12-31"),
        ("1969-12-31", "1970-01-01"),
        ("2020-01-01", "9999-12-31"),
    ],
)
def test_days_out_of_bounds_are_refused_plainly_in_any_zone(app, eager, zone, start_day, end_day):
    browser = app.sign_in("acme", "user@acme.example").browser
    browser.cookies.set("tz", zone)
    response = start(app, browser, start=start_day, end=end_day)
    assert response.status_code == 400
    assert "Choose a day from 1970-01-01 to" in response.text
    assert Export.objects.count() == 0
    assert browser.get(app.url("/assets/exports/"), timeout=10).status_code == 200


def test_bad_range_with_htmx_swaps_the_form_back_in_place(app, eager):
    browser = app.sign_in("acme", "user@acme.example").browser
    response = start(app, browser, days=40, htmx=True)
    assert response.status_code == 400  # swapped all the same: it names its swap (static/js/busy.js)
    assert response.headers["HX-Retarget"] == "#export-form" and response.headers["HX-Reswap"] == "outerHTML"
    assert "at most 30 days" in response.text


def test_a_person_cannot_start_too_many_exports(app, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ASSETS_MAX_ACTIVE_EXPORTS = 2
    browser = app.sign_in("acme", "user@acme.example").browser
    assert [start(app, browser).status_code for _ in range(2)] == [302, 302]
    refused = start(app, browser)
    assert refused.status_code == 429 and "already have 2 exports running" in refused.text
    assert Export.objects.count() == 2


def test_only_the_person_who_asked_sees_and_downloads_an_export(app, eager):
    owner = app.sign_in("acme", "user@acme.example").browser
    start(app, owner)
    export = Export.objects.get()
    other = app.sign_in("acme", "admin@acme.example").browser
    for path in (f"/assets/exports/{export.pk}/", f"/assets/exports/{export.pk}/download/"):
        assert other.get(app.url(path), allow_redirects=False, timeout=10).status_code == 404
    assert "Pump 01" not in other.get(app.url("/assets/exports/"), timeout=10).text
    assert "Pump 01" in owner.get(app.url("/assets/exports/"), timeout=10).text


def test_another_tenants_asset_cannot_be_exported(app, eager):
    browser = app.sign_in("acme", "user@acme.example").browser
    page = browser.get(app.url(f"/assets/{PUMP}/"), timeout=30)
    response = browser.post(
        app.url(f"/assets/{GLOBEX_PUMP}/export/"),
        data={
            "csrfmiddlewaretoken": csrf_from(page.text),
            "property_set": "Environment",
            "start": date.today().isoformat(),
            "end": date.today().isoformat(),
        },
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 404
    assert Export.objects.count() == 0


def test_signed_out_person_is_sent_to_sign_in(app, eager):
    browser = app.sign_in("acme", "user@acme.example").browser
    start(app, browser)
    export = Export.objects.get()
    TokenRecord.objects.all().delete()
    browser.cookies.clear()
    page = browser.get(app.url(f"/assets/exports/{export.pk}/"), allow_redirects=False, timeout=10)
    assert page.status_code == 302 and page.headers["Location"].startswith("/?next=")
    headers = {"HX-Request": "true", "HX-Current-URL": app.url(f"/assets/exports/{export.pk}/")}
    poll = browser.get(app.url(f"/assets/exports/{export.pk}/"), headers=headers, allow_redirects=False, timeout=10)
    assert poll.headers["HX-Redirect"] == f"/?next=%2Fassets%2Fexports%2F{export.pk}%2F"


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "MindSphere is not reachable; retrying in 8 s."),
        ("de", "MindSphere ist nicht erreichbar; neuer Versuch in 8 s."),
    ],
)
def test_what_the_worker_says_is_shown_in_the_readers_language(app, eager, language, shown):
    browser = app.sign_in("acme", "user@acme.example").browser
    start(app, browser)
    export = Export.objects.get()
    # What the worker stores while MindSphere is away (assets/tasks.py): a code and its values.
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RETRYING,
        message_code="unreachable_retry",
        message_values={"delay": 8},
        message="MindSphere is not reachable; retrying in 8 s.",
    )
    page = browser.get(app.url(f"/assets/exports/{export.pk}/"), headers={"Accept-Language": language}, timeout=10)
    assert shown in page.text
