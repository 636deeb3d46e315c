"""The asset page on a 360 x 740 phone: the chart in the first screen, a new choice redraws it at
once (htmx) and the URL keeps it; local times; tap targets of every page; screenshots in English
and German."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.assets.test_pages import PUMP_01
from tests.browser.conftest import PHONE_WIDTH, assert_fits_phone, screenshot, sign_in

SMALL_PHONE = {"width": PHONE_WIDTH, "height": 740}

SMALL_TAP_TARGETS = """() => [...document.querySelectorAll('a[href], button, select, input:not([type=hidden]), summary')]
    .filter(e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
    .map(e => [e.outerHTML.slice(0, 90), Math.round(e.getBoundingClientRect().width), Math.round(e.getBoundingClientRect().height)])
    .filter(([, w, h]) => w < 44 || h < 44)"""


def phone_context(browser: Browser, playwright: Playwright, **extra) -> BrowserContext:
    profile = dict(playwright.devices["Pixel 7"], **extra)
    profile["viewport"] = profile["screen"] = SMALL_PHONE
    context = browser.new_context(**profile)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def small_phone(browser: Browser, playwright: Playwright):
    context = phone_context(browser, playwright)
    yield context.new_page()
    context.close()


def query(page: Page) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}


def assert_tap_targets(page: Page) -> None:
    small = page.evaluate(SMALL_TAP_TARGETS)
    assert small == [], f"tap targets under 44 x 44 px: {small}"


def test_the_chart_is_in_the_first_screen_and_a_new_choice_redraws_it(small_phone: Page, app):
    page = small_phone
    sign_in(page, app, "acme", "user@acme.example")
    page.goto(app.url(f"/assets/{PUMP_01}/"))
    chart = page.locator(".chart-svg svg")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    menu_top = page.get_by_role("navigation", name="Main").bounding_box()["y"]
    assert box["y"] + box["height"] <= menu_top <= SMALL_PHONE["height"], f"chart ends at {box['y'] + box['height']}"
    expect(page.get_by_role("button", name="Show")).to_be_hidden()  # scripts on: the change itself redraws
    expect(page).to_have_title(re.compile(r"^Pump 01 – Assets"))
    expect(page.locator(".topbar-title")).to_have_text("Pump 01")
    assert_fits_phone(page)
    assert_tap_targets(page)
    screenshot(page, "asset-360x740")

    first_variable = page.get_by_label("Variable").input_value()
    with page.expect_request(lambda request: request.headers.get("hx-target") == "series") as redraw:
        page.get_by_label("Range").select_option("7d")
    assert parse_qs(urlsplit(redraw.value.url).query)["range"] == ["7d"]
    expect(page.locator("figcaption")).to_contain_text("Last 7 days")
    expect(page).to_have_url(re.compile(r"range=7d"))  # the URL keeps the choice
    assert query(page)["range"] == "7d"

    page.get_by_label("Variable").select_option("PumpData.flow")
    expect(page.locator("figcaption")).to_contain_text("PumpData.flow")
    assert query(page) == {"variable": "PumpData.flow", "range": "7d"}
    expect(page.get_by_label("Range")).to_have_value("7d")

    page.go_back()  # the previous choice, from the server (htmx keeps no copy of the page)
    expect(page).to_have_url(re.compile(r"range=7d"))
    expect(page.locator("figcaption")).to_contain_text(first_variable)
    expect(page.get_by_label("Variable")).to_have_value(first_variable)
    page.go_back()
    expect(page.locator("figcaption")).to_contain_text("Last 24 hours")

    page.reload()  # a shared link shows the same choice
    expect(page.get_by_label("Range")).to_have_value("24h")


def test_an_error_takes_its_regions_place_with_its_own_status(small_phone: Page, app):
    # htmx swaps these error answers (they name their swap) but not others (test_busy.py: a 503).
    page = small_phone
    sign_in(page, app, "acme", "user@acme.example")
    with page.expect_response(lambda response: response.request.headers.get("hx-target") == "asset-body") as body:
        page.goto(app.url("/assets/no-such-asset/"))
    assert body.value.status == 404
    expect(page.get_by_role("heading", name="Asset not found")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Asset not found"))
    expect(page.get_by_text("MindSphere did not answer.")).to_have_count(0)  # the region is gone, its notice too

    page.goto(app.url(f"/assets/{PUMP_01}/"))
    expect(page.locator(".chart-svg svg")).to_be_visible()
    page.get_by_label("Range").evaluate("select => select.add(new Option('1 year', '1y'))")  # an edited <select>
    with page.expect_response(lambda response: response.request.headers.get("hx-target") == "series") as chart:
        page.get_by_label("Range").select_option("1y")
    assert chart.value.status == 400
    expect(page.locator("#series")).to_contain_text("Unknown range “1y”")
    expect(page.get_by_role("heading", name="Pump 01")).to_be_visible()  # the rest of the page stays


def test_back_arrow_leads_from_the_asset_to_the_list(small_phone: Page, app):
    page = small_phone
    sign_in(page, app, "acme", "user@acme.example")
    page.goto(app.url(f"/assets/{PUMP_01}/"))
    expect(page.locator(".chart-svg svg")).to_be_visible()
    page.get_by_role("link", name="Back to Assets").click()
    expect(page).to_have_url(re.compile(r"/assets/$"))
    expect(page.locator("#asset-list")).to_be_visible()


def test_without_scripts_the_show_button_and_the_whole_page_work(browser: Browser, playwright: Playwright, app):
    context = phone_context(browser, playwright, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, app, "acme", "user@acme.example")
        page.goto(app.url(f"/assets/{PUMP_01}/"))
        expect(page.locator(".chart-svg svg")).to_be_visible()
        page.get_by_label("Range").select_option("30d")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("figcaption")).to_contain_text("Last 30 days")
        assert query(page)["range"] == "30d"
        screenshot(page, "asset-no-js-360")
    finally:
        context.close()


def test_times_are_local_in_berlin(browser: Browser, playwright: Playwright, app):
    context = phone_context(browser, playwright, timezone_id="Europe/Berlin")
    page = context.new_page()
    try:
        sign_in(page, app, "acme", "user@acme.example")
        assert any(cookie["name"] == "tz" and cookie["value"] == "Europe/Berlin" for cookie in context.cookies())
        page.goto(app.url(f"/assets/{PUMP_01}/"))
        expect(page.locator("figcaption")).to_contain_text("times in Europe/Berlin")
        expect(page.locator(".chart-table th").first).to_have_text("Time (Europe/Berlin)")
        end = page.locator("#series-end")
        # The text shows the same moment as the machine-readable UTC time, in Berlin's hours.
        shown = end.inner_text()
        berlin = page.evaluate(
            "iso => new Date(iso).toLocaleTimeString('en-GB', {timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit'})",
            end.get_attribute("datetime"),
        )
        assert shown.endswith(berlin), (shown, berlin)
        expect(page.get_by_label(re.compile(r"^From \(Europe/Berlin\)"))).to_be_visible()
        screenshot(page, "asset-berlin-360")
    finally:
        context.close()


# The element's text with "|" where a new line starts on the screen.
LINE_BREAKS = """element => {
    let out = "", top = null;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        for (let i = 0; i < node.length; i++) {
            const range = document.createRange();
            range.setStart(node, i); range.setEnd(node, i + 1);
            const rect = range.getClientRects()[0];
            if (rect && top !== null && rect.top > top + 2) { out += "|"; }
            if (rect) { top = rect.top; }
            out += node.data[i];
        }
    }
    return out;
}"""


def test_sign_out_is_on_the_account_page_and_in_the_side_bar_not_in_the_app_bar(browser: Browser, app):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, app, "acme", "user@acme.example")
        expect(page.locator("header").get_by_role("button")).to_have_count(0)
        page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("You are signed out.")).to_be_visible()
    finally:
        context.close()


def test_on_a_phone_sign_out_is_on_the_account_page(small_phone: Page, app):
    page = small_phone
    sign_in(page, app, "acme", "user@acme.example")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)  # not in the app bar
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


PAGES = [
    ("home", "/home/admin/"),
    ("assets", "/assets/"),
    ("asset", f"/assets/{PUMP_01}/"),
    ("exports", "/assets/exports/"),
    ("roles", "/manage/roles/"),
    ("account", "/account/"),
]


@pytest.mark.parametrize("locale", ["en-GB", "de-DE"])
def test_every_page_has_large_tap_targets_and_fits_a_phone(browser: Browser, playwright: Playwright, app, locale):
    context = phone_context(browser, playwright, locale=locale)
    page = context.new_page()
    language = locale[:2]
    try:
        page.goto(app.url("/"))
        assert_tap_targets(page)
        screenshot(page, f"page-login-360-{language}")
        page.get_by_label("Tenant").fill("acme")
        page.get_by_role("button", name="Anmelden" if language == "de" else "Sign in").click()
        page.get_by_label("Email").fill("admin@acme.example")  # the emulator's page stays English
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/home/admin/$"))
        for name, path in PAGES:
            page.goto(app.url(path))
            page.wait_for_load_state("networkidle")
            expect(page.locator("[data-mindsphere-load]")).to_have_count(0)  # the data is in
            assert_fits_phone(page)
            assert_tap_targets(page)
            title = page.locator(".topbar-title")
            assert title.bounding_box()["height"] < 40, "the app bar's title wraps"
            screenshot(page, f"page-{name}-360-{language}")
            if name == "account":
                lines = page.locator(".facts dd").first.evaluate(LINE_BREAKS)
                assert not re.search(r"\w\|\w", lines), f"the e-mail breaks mid-word: {lines}"
    finally:
        context.close()
