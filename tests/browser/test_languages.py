"""German on a phone: from the browser's language, and switched on the Account page."""

from __future__ import annotations

from playwright.sync_api import Browser, Playwright, expect

from tests.browser.conftest import PHONE_WIDTH, assert_fits_phone, screenshot


def test_a_german_phone_gets_german_pages_and_can_switch_to_english(browser: Browser, playwright: Playwright, app):
    profile = dict(playwright.devices["Pixel 7"], locale="de-DE")
    profile["viewport"] = profile["screen"] = {"width": PHONE_WIDTH, "height": 780}
    context = browser.new_context(**profile)
    page = context.new_page()
    page.goto(app.url("/"))
    expect(page.get_by_role("button", name="Anmelden")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "login-360-de")
    page.get_by_label("Tenant").fill("acme")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_label("Email").fill("admin@acme.example")  # the emulator's page stays English
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Admin")).to_be_visible()
    expect(page.get_by_role("link", name="Rollen verwalten")).to_be_visible()
    screenshot(page, "home-admin-360-de")
    page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Rollen").click()
    expect(page.get_by_role("heading", name="Rollen von acme")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "roles-360-de")
    page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Konto").click()
    expect(page.get_by_role("link", name="Überall abmelden")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "account-360-de")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Sign out everywhere")).to_be_visible()  # kept in a cookie
    page.goto(app.url("/home/admin/"))
    expect(page.get_by_role("link", name="Manage roles")).to_be_visible()
    context.close()
