"""Messages and error pages on a phone: one style, with the menu when signed in, and words that say why."""

from __future__ import annotations

import hashlib
import re

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.browser.conftest import PHONE_WIDTH, assert_fits_phone, screenshot, sign_in

PUMP = hashlib.md5(b"acme/Pump 01").hexdigest()


def test_a_bad_address_gets_the_styled_400_with_the_menu(page: Page, app):
    sign_in(page, app, "acme", "user@acme.example")
    page.goto(app.url(f"/assets/{PUMP}/?range=forever"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The app did not understand this address")
    expect(page.get_by_text("Unknown range “forever”")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "error-400-360")
    page.get_by_role("link", name="Open the page").click()
    expect(page).to_have_url(re.compile(rf"/assets/{PUMP}/$"))


def test_404_for_a_signed_in_person_and_in_german(page: Page, app):
    sign_in(page, app, "acme", "user@acme.example")
    page.goto(app.url("/no-such-page/"))
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "error-404-360")
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": app.url("/")}])
    page.reload()
    expect(page.get_by_role("heading", name="Seite nicht gefunden")).to_be_visible()
    screenshot(page, "error-404-360-de")


def test_mindsphere_unreachable_keeps_the_menu_and_offers_sign_out(page: Page, app, clean_emulator):
    sign_in(page, app, "acme", "user@acme.example")
    clean_emulator.fault(mode="503", target="gateway", calls=20, tenant="acme")
    # The whole page at once (as without JavaScript); with it, the shell's region says so (test_busy.py).
    page.goto(app.url("/assets/?wait=1"))
    expect(page.get_by_role("heading", name="MindSphere is not reachable")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("link", name="Try again")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "error-503-360")
    page.locator("#main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Tenant")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")


def test_the_no_role_page_has_no_success_banner(page: Page, app):
    sign_in(page, app, "acme", "norole@acme.example")
    expect(page.get_by_role("heading", name="No role assigned")).to_be_visible()
    expect(page.get_by_text("Successfully signed in")).to_have_count(0)
    screenshot(page, "no-role-360")


def phone_context(browser: Browser, playwright: Playwright) -> BrowserContext:
    profile = dict(playwright.devices["Pixel 7"])
    profile["viewport"] = {"width": PHONE_WIDTH, "height": 780}
    context = browser.new_context(**profile)
    context.set_default_timeout(15_000)
    return context


def test_the_other_phone_says_it_was_signed_out_everywhere(page: Page, app, browser: Browser, playwright: Playwright):
    other = phone_context(browser, playwright)
    try:
        other_page = other.new_page()
        sign_in(other_page, app, "acme", "user@acme.example")
        expect(other_page).to_have_url(re.compile(r"/home/user/$"))

        sign_in(page, app, "acme", "user@acme.example")
        page.goto(app.url("/account/"))
        page.get_by_role("link", name="Sign out everywhere").click()
        page.get_by_role("button", name="Sign out everywhere").click()  # the step that asks first
        expect(page.get_by_role("status")).to_contain_text("You are signed out on all your devices.")

        # The other phone's open page checks its session (as on resume): it lands on the Login page, told why.
        other_page.evaluate("htmx.trigger('#mindsphere-lifecycle', 'mindsphere:check')")
        expect(other_page.get_by_label("Tenant")).to_be_visible()
        expect(other_page.get_by_role("status")).to_contain_text("You were signed out on all your devices.")
        screenshot(other_page, "signed-out-everywhere-other-phone-360")
    finally:
        other.close()
