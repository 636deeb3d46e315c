"""Exports on a 360 px phone (#24 item 2): a start while MindSphere answers 503 says so and keeps the
form with Try again; My exports is in the menu, says when each was made, tries a failed one again and
deletes one after asking. Tasks run eagerly in the live server's process."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assets.models import Export
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.browser.test_accessibility import assert_no_violations, audit
from tests.browser.test_chart_card import TRY_AGAIN, open_asset

EXPORT = {"en": "Export CSV", "de": "CSV exportieren"}
OUTAGE = {"en": "MindSphere is not reachable right now.", "de": "MindSphere ist gerade nicht erreichbar."}
READY = {"en": "Ready", "de": "Fertig"}


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_export_start_during_an_outage_says_so_and_try_again_starts_it(
    browser, playwright, app, eager, clean_emulator, language
):
    page = open_asset(browser, playwright, app, language)
    form = page.locator("#export-form")
    start_field = form.locator("input[name=start]")
    chosen_start = start_field.input_value()
    clean_emulator.fault(mode="503", target="gateway", tenant="acme")
    form.get_by_role("button", name=EXPORT[language]).click()
    card = page.locator("section:has(#export-form)")
    notice = card.locator("[data-card-status]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(OUTAGE[language])
    expect(start_field).to_have_value(chosen_start)  # the form is kept as it was
    notice.scroll_into_view_if_needed()
    screenshot(page, f"export-start-outage-360-{language}")
    assert Export.objects.count() == 0

    clean_emulator.clear_faults()
    notice.get_by_role("button", name=TRY_AGAIN[language]).click()
    expect(page.locator("#exports .export").first).to_contain_text(READY[language], timeout=30_000)
    expect(notice).to_be_hidden()
    assert Export.objects.count() == 1
    page.context.close()


@pytest.mark.parametrize("language", ["en", "de"])
def test_my_exports_from_the_menu_try_again_and_delete(browser, playwright, app, eager, language):
    page = open_asset(browser, playwright, app, language)
    page.locator("#export-form button[type=submit]").click()
    expect(page.locator("#exports .export")).to_have_count(1)
    Export.objects.update(status=Export.Status.FAILED, message_code="unreachable", progress=30)

    menu = page.get_by_role("navigation", name=re.compile("Main|Haupt"))
    menu.get_by_role("link", name="Exports" if language == "en" else "Exporte").click()
    entry = page.locator(".export").first
    expect(entry).to_contain_text("Made" if language == "en" else "Erstellt")
    expect(entry.locator(".export-made time")).to_have_text(
        re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} \w{3} \d\d:\d\d$")
        if language == "en"
        else re.compile(r"^(Mo|Di|Mi|Do|Fr|Sa|So)\.?,? \d{1,2}\.? \w+\.?,? \d\d:\d\d$")
    )
    assert_fits_phone(page)
    screenshot(page, f"my-exports-failed-360-{language}")
    assert_no_violations(audit(page, None, f"My exports, a failed export ({language})"))
    page.set_viewport_size({"width": 360, "height": 780})

    entry.get_by_role("button", name=TRY_AGAIN[language]).click()
    expect(page.locator(".export").first).to_contain_text(READY[language], timeout=30_000)

    page.locator(".export").first.get_by_role("link", name="Delete" if language == "en" else "Löschen").click()
    expect(page.locator("#app-title")).to_have_text("Delete the export?" if language == "en" else "Export löschen?")
    screenshot(page, f"export-delete-confirm-360-{language}")
    page.get_by_role("button", name="Delete" if language == "en" else "Löschen").click()
    expect(
        page.get_by_text("The export is deleted." if language == "en" else "Der Export ist gelöscht.")
    ).to_be_visible()
    expect(page.locator(".export")).to_have_count(0)
    assert Export.objects.count() == 0
    page.context.close()
