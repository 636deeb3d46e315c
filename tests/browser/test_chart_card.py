"""A new variable or range on the asset page at 360 px (#24 item 1): the old chart dims under a
progress line while the change loads, "still waiting" after 3 s, and a failure (timeout, 503, 429)
says what failed in the chart's card with Try again and puts the selects back to the chart shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.assets.test_pages import PUMP_01
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import assert_no_violations, audit
from tests.browser.test_asset_page import phone_context

SIGN_IN = {"en": "Sign in", "de": "Anmelden"}
LAST_7_DAYS = {"en": "Last 7 days", "de": "Letzte 7 Tage"}
LAST_24_HOURS = {"en": "Last 24 hours", "de": "Letzte 24 Stunden"}
TRY_AGAIN = {"en": "Try again", "de": "Erneut versuchen"}
STILL_WAITING = {"en": "Still waiting for MindSphere…", "de": "Warte noch auf MindSphere …"}
FAILURES = {
    ("503", "en"): "not reachable right now",
    ("503", "de"): "gerade nicht erreichbar",
    ("429", "en"): "too many requests",
    ("429", "de"): "zu viele Anfragen",
    ("timeout", "en"): "took too long to answer",
    ("timeout", "de"): "nicht rechtzeitig geantwortet",
}


def open_asset(browser: Browser, playwright: Playwright, app, language: str) -> Page:
    context = phone_context(browser, playwright, locale="de-DE" if language == "de" else "en-GB")
    page = context.new_page()
    page.goto(app.url("/"))
    page.get_by_label("Tenant").fill("acme")
    page.get_by_role("button", name=SIGN_IN[language]).click()
    page.get_by_label("Email").fill("user@acme.example")  # the emulator's page stays English
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto(app.url(f"/assets/{PUMP_01}/?range=24h"))
    expect(page.locator(".chart-svg svg")).to_be_visible()
    return page


def range_select(page: Page):
    return page.locator("#series-range")


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_slow_change_dims_the_chart_then_says_it_is_still_waiting(browser, playwright, app, clean_emulator, language):
    page = open_asset(browser, playwright, app, language)
    clean_emulator.fault(mode="hang", target="gateway", tenant="acme", hang_seconds=5, calls=3)
    range_select(page).select_option("7d")
    expect(page.locator("#series")).to_have_attribute("aria-busy", "true")
    expect(page.locator(".chart-card")).to_have_class(re.compile(r"\bis-redrawing\b"))
    expect(page.locator(".chart-card .card-progress")).to_be_visible()
    notice = page.locator(".chart-card [data-card-status]")
    expect(notice).to_contain_text(STILL_WAITING[language], timeout=10_000)
    expect(notice).to_be_visible()
    screenshot(page, f"asset-chart-still-waiting-360-{language}")
    # The answer comes: the new chart, nothing dimmed, no notice.
    expect(page.locator("figcaption")).to_contain_text(LAST_7_DAYS[language], timeout=15_000)
    expect(notice).to_be_hidden()
    expect(page.locator("#series")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator(".chart-card")).not_to_have_class(re.compile(r"\bis-redrawing\b"))


@pytest.mark.parametrize(
    ("kind", "language"), [("503", "en"), ("503", "de"), ("429", "en"), ("429", "de"), ("timeout", "en")]
)
def test_a_failed_change_says_so_in_the_card_and_puts_the_select_back(
    browser, playwright, app, clean_emulator, settings, kind, language
):
    settings.MINDSPHERE_HTTP_TIMEOUT = 2
    page = open_asset(browser, playwright, app, language)
    if kind == "timeout":
        clean_emulator.fault(mode="hang", target="gateway", tenant="acme", hang_seconds=4)
    else:
        clean_emulator.fault(mode=kind, target="gateway", tenant="acme")
    with page.expect_response(lambda response: response.request.headers.get("hx-target") == "series") as answer:
        range_select(page).select_option("7d")
    assert answer.value.status == 503
    notice = page.locator(".chart-card [data-card-status]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(FAILURES[kind, language])
    # The select shows the chart that is shown, which stays.
    expect(range_select(page)).to_have_value("24h")
    expect(page.locator("figcaption")).to_contain_text(LAST_24_HOURS[language])
    expect(page.locator(".chart-card")).not_to_have_class(re.compile(r"\bis-redrawing\b"))
    expect(page).not_to_have_url(re.compile(r"range=7d"))
    screenshot(page, f"asset-chart-failed-{kind}-360-{language}")
    if kind == "503":  # the failed card, as a screen reader and axe meet it
        assert_no_violations(audit(page, None, f"asset page, failed change ({language})"))
        expect(notice).to_be_visible()

    clean_emulator.clear_faults()
    notice.get_by_role("button", name=TRY_AGAIN[language]).click()  # asks for the choice that failed
    expect(page.locator("figcaption")).to_contain_text(LAST_7_DAYS[language])
    expect(range_select(page)).to_have_value("7d")
    expect(notice).to_be_hidden()
    page.context.close()


def test_a_change_without_network_says_so_and_keeps_the_chart(browser, playwright, app):
    page = open_asset(browser, playwright, app, "en")
    page.context.set_offline(True)
    range_select(page).select_option("30d")
    notice = page.locator(".chart-card [data-card-status]")
    expect(notice).to_contain_text("No connection. Check your network and try again.")
    expect(range_select(page)).to_have_value("24h")
    expect(page.locator("figcaption")).to_contain_text(LAST_24_HOURS["en"])
    page.context.set_offline(False)
    notice.get_by_role("button", name="Try again").click()
    expect(page.locator("figcaption")).to_contain_text("Last 30 days")
    page.context.close()
