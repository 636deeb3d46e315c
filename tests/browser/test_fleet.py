"""The fleet overview on a 360 px phone: every role home in English and German, axe-clean, the list, "refresh now"."""

from __future__ import annotations

from django.core.cache import cache
from playwright.sync_api import Page, expect

from fleet import runs
from navigation.homes import ROLE_HOMES
from tests.browser.conftest import assert_fits_phone, screenshot, sign_in
from tests.browser.test_accessibility import AXE, assert_no_violations, violations_text

COUNTS = {"en": "28 assets · 3 not reporting", "de": "28 Assets · 3 melden nicht"}
LIST_LINK = {"en": "Show the 3 assets not reporting", "de": "Die 3 Assets zeigen, die nicht melden"}
REFRESH = {"en": "Refresh now", "de": "Jetzt aktualisieren"}


def axe(page: Page, label: str) -> list[str]:
    violations = AXE.run(page).response["violations"]
    return [f"{label} ({page.url}):\n{violations_text(violations)}"] if violations else []


def test_the_overview_on_every_role_home_in_english_and_german(page: Page, app, clean_emulator):
    cache.clear()
    assert runs.refresh("acme") == runs.DONE  # as the worker would have, with the app's own token
    sign_in(page, app, "acme", "admin@acme.example")  # an admin may open every role home
    found: list[str] = []
    for language in ("en", "de"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": app.url("/")}])
        for home in ROLE_HOMES:
            page.goto(app.url(f"/{home.path}"))
            overview = page.locator("#fleet-overview")
            expect(overview).to_contain_text(COUNTS[language])
            expect(overview.get_by_role("link", name=LIST_LINK[language])).to_be_visible()
            expect(overview.get_by_role("button", name=REFRESH[language])).to_be_visible()
            assert_fits_phone(page)
            found += axe(page, f"{home.role} home, {language}")
            screenshot(page, f"fleet-home-{home.slug}-360-{language}")

    page.locator("#fleet-overview").get_by_role("link", name=LIST_LINK["de"]).click()
    expect(page.get_by_role("heading", name="Assets, die nicht melden")).to_be_visible()
    assert_fits_phone(page)
    found += axe(page, "not reporting, de")
    screenshot(page, "fleet-not-reporting-360-de")

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": app.url("/")}])
    page.goto(app.url("/fleet/not-reporting/"))
    found += axe(page, "not reporting, en")
    page.get_by_role("link", name="Pump 13").click()
    expect(page.get_by_role("heading", name="Pump 13")).to_be_visible()

    page.goto(app.url("/home/admin/"))
    page.locator("#fleet-overview").get_by_role("button", name="Refresh now").click()  # htmx: the card in place
    expect(page.locator("#fleet-overview").get_by_role("status")).to_contain_text("Update requested")
    found += axe(page, "after refresh now")
    page.locator("#fleet-overview").get_by_role("button", name="Refresh now").click()
    expect(page.locator("#fleet-overview").get_by_role("status")).to_contain_text("less than a minute ago")
    assert_fits_phone(page)
    screenshot(page, "fleet-refresh-rate-limited-360-en")
    assert_no_violations(found)
