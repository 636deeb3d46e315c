"""My exports (#24 item 2): an export start while MindSphere is away says so and keeps the form; a
failed export is tried again (own person and tenant only); entries say when they were made and can be
deleted after a confirmation; the retry budget rides out a minute's outage. Real HTTP, eager tasks."""

from __future__ import annotations

import json
import re

import pytest

from assets.models import Export
from assets.tasks import retry_budget, retry_delay
from sso.models import TokenRecord
from tests.app_client import csrf_from
from tests.assets.test_export_views import PUMP, start


def failed_export(browser, app) -> Export:
    start(app, browser)
    export = Export.objects.get()
    Export.objects.filter(pk=export.pk).update(status=Export.Status.FAILED, message_code="unreachable", progress=40)
    return export


def post(browser, app, path: str, *, htmx: bool = False):
    page = browser.get(app.url("/assets/exports/"), timeout=10)
    headers = {"Referer": page.url, **({"HX-Request": "true"} if htmx else {})}
    return browser.post(
        app.url(path),
        data={"csrfmiddlewaretoken": csrf_from(page.text)},
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )


@pytest.mark.parametrize(("mode", "text"), [("503", "not reachable right now"), ("429", "too many requests")])
def test_an_export_start_while_mindsphere_is_away_says_so(app, eager, clean_emulator, mode, text):
    browser = app.sign_in("acme", "user@acme.example").browser
    page = browser.get(app.url(f"/assets/{PUMP}/"), timeout=30)
    assert "data-retry-card" in page.text and "data-card-status" in page.text  # where busy.js says it
    clean_emulator.fault(mode=mode, target="gateway", tenant="acme")
    answer = start(app, browser, htmx=True)
    assert answer.status_code == 503 and text in json.loads(answer.text)["message"]
    assert "HX-Reswap" not in answer.headers  # not swapped: the form stays as filled in
    plain = start(app, browser)  # without JavaScript: the page says so; Try again leads back to the form
    assert plain.status_code == 503 and text in plain.text.replace("&#x27;", "'")
    assert f'href="/assets/{PUMP}/"' in plain.text
    assert Export.objects.count() == 0


def test_a_failed_export_is_tried_again_from_the_start(app, eager):
    browser = app.sign_in("acme", "user@acme.example").browser
    export = failed_export(browser, app)
    listing = browser.get(app.url("/assets/exports/"), timeout=10).text
    assert f'action="/assets/exports/{export.pk}/retry/"' in listing
    answer = post(browser, app, f"/assets/exports/{export.pk}/retry/", htmx=True)
    assert answer.status_code == 200 and f'id="export-{export.pk}"' in answer.text
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.rows > 0 and export.message_code == ""
    assert export.attempts == 2
    assert export.token_record_id == TokenRecord.objects.get(user=export.user).pk


def test_only_a_failed_export_is_tried_again(app, eager):
    browser = app.sign_in("acme", "user@acme.example").browser
    start(app, browser)
    export = Export.objects.get()
    assert export.status == Export.Status.DONE
    answer = post(browser, app, f"/assets/exports/{export.pk}/retry/", htmx=True)
    assert answer.status_code == 409 and "Only a failed export can be tried again." in answer.text


@pytest.mark.parametrize("action", ["retry", "delete"])
def test_no_one_else_retries_or_deletes_an_export(app, eager, action):
    owner = app.sign_in("acme", "user@acme.example").browser
    export = failed_export(owner, app)
    other = app.sign_in("acme", "admin@acme.example").browser
    assert post(other, app, f"/assets/exports/{export.pk}/{action}/").status_code == 404
    # Nor the same person signed in to another tenant: the export is bound to the tenant it was made in.
    Export.objects.filter(pk=export.pk).update(tenant="globex")
    assert post(owner, app, f"/assets/exports/{export.pk}/{action}/").status_code == 404
    assert Export.objects.get(pk=export.pk).status == Export.Status.FAILED


def test_an_entry_says_when_it_was_made_and_is_deleted_after_a_confirmation(app, eager):
    browser = app.sign_in("acme", "user@acme.example").browser
    start(app, browser)
    export = Export.objects.get()
    path = export.file.path
    listing = browser.get(app.url("/assets/exports/"), headers={"Accept-Language": "de"}, timeout=10).text
    made = re.search(r"Erstellt <time datetime=\"([^\"]+)\">([^<]+)</time>", listing)
    assert made and made.group(1).startswith(f"{export.created:%Y-%m-%d}")
    assert re.fullmatch(r"\w\w\.?,? \d{1,2}\.? \w+\.?,? \d\d:\d\d", made.group(2)), made.group(2)  # German names
    confirm = browser.get(app.url(f"/assets/exports/{export.pk}/delete/"), timeout=10)
    assert confirm.status_code == 200 and "Delete the export?" in confirm.text
    assert Export.objects.filter(pk=export.pk).exists()  # asking deletes nothing
    deleted = post(browser, app, f"/assets/exports/{export.pk}/delete/")
    assert deleted.status_code == 302 and deleted.headers["Location"] == "/assets/exports/"
    assert not Export.objects.filter(pk=export.pk).exists()
    assert not __import__("os").path.exists(path)
    assert "The export is deleted." in browser.get(app.url("/assets/exports/"), timeout=10).text


def test_a_running_export_is_not_deleted(app, eager):
    browser = app.sign_in("acme", "user@acme.example").browser
    start(app, browser)
    export = Export.objects.get()
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING)
    assert post(browser, app, f"/assets/exports/{export.pk}/delete/").status_code == 409
    assert Export.objects.filter(pk=export.pk).exists()


def test_the_retry_budget_rides_out_a_minute_of_outage(settings):
    assert [retry_delay(n) for n in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert retry_delay(0, retry_after=2) == 2 and retry_delay(4, retry_after=2) == 16  # Retry-After is a floor
    assert retry_budget() >= 60
    settings.ASSETS_EXPORT_MAX_RETRIES = 3
    assert retry_budget() == 7
