"""Feedback while MindSphere is slow: busy links and buttons, the page's shell at once, the
"still waiting" notice after 3 s and Retry (static/js/busy.js, assets/loading.py)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.tokens import expire_access_token

CLICK_AND_READ = "element => { element.click(); return {busy: element.getAttribute('aria-busy'), html: document.documentElement.className}; }"


def test_a_hanging_mindsphere_shows_the_shell_then_the_notice_and_retry_loads_the_data(page: Page, app, clean_emulator):
    sign_in(page, app, "acme", "user@acme.example")
    clean_emulator.fault(mode="hang", target="gateway", hang_seconds=8, tenant="acme")  # until cleared
    page.goto(app.url("/assets/"))
    # The shell is there at once: the search form, a skeleton, the progress line.
    expect(page.get_by_label("Search by name")).to_be_visible()
    region = page.locator("#asset-results")
    expect(region).to_have_attribute("aria-busy", "true")
    expect(page.locator("html")).to_have_class("js is-busy")
    expect(page.locator(".busy-line")).to_have_css("opacity", "1")
    notice = page.get_by_text("Still waiting for MindSphere…")
    # Not before 3 s: read at one instant in the page, so a slow machine cannot make this flaky
    # (the timer starts after navigation, so the time since navigation bounds its age).
    since_navigation, shown = page.evaluate(
        "() => [performance.now(), !document.querySelector('#asset-results [data-still-waiting]').hidden]"
    )
    assert not shown or since_navigation >= 3000
    screenshot(page, "assets-loading-360")
    expect(notice).to_be_visible(timeout=10_000)
    expect(page.locator("#asset-list")).to_have_count(0)
    screenshot(page, "assets-still-waiting-360")

    clean_emulator.clear_faults()
    with page.expect_response(
        lambda response: (
            response.url.endswith("/assets/") and response.request.headers.get("hx-target") == "asset-results"
        )
    ):
        page.get_by_role("button", name="Retry").click()
    expect(page.locator("#asset-list")).to_be_visible()
    expect(page.locator("#asset-list .asset-link")).to_have_count(10)
    expect(page.locator("html")).not_to_have_class("js is-busy")  # the progress line is gone
    expect(notice).to_have_count(0)


def test_unreachable_mindsphere_while_loading_says_so_and_retry_works(page: Page, app, clean_emulator):
    sign_in(page, app, "acme", "user@acme.example")
    clean_emulator.fault(mode="503", target="gateway", tenant="acme")
    page.goto(app.url("/assets/"))
    failed = page.get_by_text("MindSphere is not reachable right now.")  # the outage's own text (sso.texts.FAILURES)
    expect(failed).to_be_visible()  # a 503 is not swapped in: the region says so at once
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    clean_emulator.clear_faults()
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#asset-list .asset-link")).to_have_count(10)


def test_a_link_shows_it_is_busy_until_the_next_page_comes(page: Page, app, clean_emulator):
    sign_in(page, app, "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    # The next page refreshes the token first, and the token endpoint takes its time.
    expire_access_token()
    clean_emulator.fault(mode="hang", target="token", hang_seconds=4, calls=1, tenant="acme")
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Assets")
    # Tapped and read in one go: Playwright's own click and expect would wait for the next page.
    state = link.evaluate(CLICK_AND_READ)
    assert state == {"busy": "true", "html": "js is-leaving is-busy"}
    expect(page.get_by_role("heading", name="Assets")).to_be_visible(timeout=15_000)
    expect(page.locator("#asset-list .asset-link")).to_have_count(10)


def test_a_submit_button_shows_it_is_busy(page: Page, app, clean_emulator):
    sign_in(page, app, "acme", "user@acme.example")
    page.goto(app.url("/assets/"))
    expect(page.locator("#asset-list")).to_be_visible()
    expire_access_token()
    clean_emulator.fault(mode="hang", target="token", hang_seconds=4, calls=1, tenant="acme")
    page.get_by_label("Search by name").fill("pump")
    button = page.get_by_role("button", name="Search")
    state = button.evaluate(CLICK_AND_READ)
    assert state == {"busy": "true", "html": "js is-leaving is-busy"}
    expect(page.get_by_text("assets match “pump”")).to_be_visible(timeout=15_000)
