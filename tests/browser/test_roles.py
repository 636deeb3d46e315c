"""/manage/roles/ on a phone: an acme admin changes acme's mapping; acme's user follows; globex stays apart."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from sso.models import MappingChange, ScopeRoleMapping
from tests.browser.conftest import assert_fits_phone, screenshot, sign_in


def test_an_acme_admin_changes_acme_and_an_acme_user_follows(
    page: Page, phone: BrowserContext, browser, playwright, app
):
    user_context = browser.new_context(**playwright.devices["Pixel 7"])
    user_page = user_context.new_page()
    sign_in(user_page, app, "acme", "user@acme.example")
    expect(user_page).to_have_url(re.compile(r"/home/user/$"))

    sign_in(page, app, "acme", "admin@acme.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roles").click()
    expect(page.get_by_role("heading", name="Roles of acme")).to_be_visible()
    expect(page.locator("#people")).to_contain_text("user@acme.example")
    assert_fits_phone(page)
    screenshot(page, "roles-acme-360")

    page.get_by_label("mobilestarter.user gives").select_option("Admin")
    page.get_by_role("button", name="Save mapping").click()  # htmx: the content is swapped in place
    expect(page.get_by_role("status").filter(has_text="Mapping saved")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("admin@acme.example: user: User → Admin")
    assert page.url.endswith("/manage/roles/")
    screenshot(page, "roles-acme-saved-360")

    user_page.goto(app.url("/"))  # the user's next page: their new role
    expect(user_page).to_have_url(re.compile(r"/home/admin/$"))
    user_context.close()
    assert not ScopeRoleMapping.objects.filter(tenant="globex").exists()


def test_a_globex_admin_cannot_see_or_change_acme(page: Page, app):
    sign_in(page, app, "globex", "admin@globex.example")
    page.goto(app.url("/manage/roles/"))
    expect(page.get_by_role("heading", name="Roles of globex")).to_be_visible()
    expect(page.get_by_text("@acme.example")).to_have_count(0)
    # A tampered tenant field: refused with a plain message, nothing changed anywhere.
    page.evaluate("document.querySelectorAll('input[name=tenant]').forEach(e => e.value = 'acme')")
    page.get_by_label("mobilestarter.user gives").select_option("Admin")
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_role("alert")).to_contain_text("for another tenant")
    assert not ScopeRoleMapping.objects.exclude(tenant="").exists()
    assert not MappingChange.objects.exists()
    screenshot(page, "roles-tampered-360")
