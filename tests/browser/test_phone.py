"""What a person sees on a phone: sign-in and landing, menus, access, and the lifecycle include."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sso.models import TokenRecord
from tests.browser.conftest import assert_fits_phone, screenshot, sign_in
from tests.tokens import expire_refresh_token, set_expiries

LANDINGS = [
    ("acme", "admin@acme.example", "/home/admin/", ["Admin", "Assets", "Exports", "Roles", "Account"]),
    ("acme", "user@acme.example", "/home/user/", ["Home", "Assets", "Exports", "Account"]),
    ("acme", "consultant@example.com", "/home/user/", ["Home", "Assets", "Exports", "Account"]),
    ("globex", "admin@globex.example", "/home/admin/", ["Admin", "Assets", "Exports", "Roles", "Account"]),
    ("globex", "consultant@example.com", "/home/admin/", ["Admin", "Assets", "Exports", "Roles", "Account"]),
]


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def session_checks(page: Page) -> list[str]:
    """Start recording calls to /sso/session/ made by the page."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if "/sso/session/" in request.url else None)
    return seen


def set_visibility(page: Page, state: str) -> None:
    """What the browser does when the person switches tabs or apps (headless tabs never hide)."""
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
            Object.defineProperty(document, "hidden", {configurable: true, get: () => state === "hidden"});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def test_login_page_on_a_phone(page: Page, app):
    page.goto(app.url("/"))
    expect(page.get_by_role("heading", name="MindSphere Mobile Starter")).to_be_visible()
    expect(page.get_by_label("Tenant")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "login-360")


def test_bad_tenant_message_on_a_phone(page: Page, app):
    page.goto(app.url("/"))
    page.get_by_label("Tenant").fill("evil.com/x")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("tenant name")
    assert path_of(page) == "/accounts/mindsphere/login/"
    assert_fits_phone(page)


@pytest.mark.parametrize(("tenant", "email", "landing", "menu"), LANDINGS)
def test_each_demo_user_lands_on_the_right_home_with_the_right_menu(page: Page, app, tenant, email, landing, menu):
    sign_in(page, app, tenant, email)
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))
    labels = page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()
    assert [label.strip() for label in labels] == menu
    assert_fits_phone(page)
    screenshot(page, f"home-{tenant}-{email.split('@')[0]}-360")


def test_no_role_page_on_a_phone(page: Page, app):
    sign_in(page, app, "acme", "norole@acme.example")
    expect(page.get_by_role("heading", name="No role assigned")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "no-role-360")


def test_a_user_cannot_open_an_admin_page_by_url(page: Page, app):
    sign_in(page, app, "acme", "user@acme.example")
    response = page.goto(app.url("/home/admin/"))
    assert response.status == 403
    expect(page.get_by_role("heading", name="This page is not for your role")).to_be_visible()


def test_account_page_signs_out(page: Page, app):
    sign_in(page, app, "acme", "user@acme.example")
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_text("user@acme.example")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "account-360")
    page.get_by_role("button", name="Sign out", exact=True).last.click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert path_of(page) == "/"
    assert TokenRecord.objects.count() == 0


# --- the lifecycle include ------------------------------------------------------------------------


def test_check_runs_on_startup(page: Page, app):
    sign_in(page, app, "acme", "user@acme.example")
    with page.expect_request("**/sso/session/"):
        page.reload()


def test_check_runs_when_the_tab_comes_back(page: Page, app):
    sign_in(page, app, "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    seen = session_checks(page)
    set_visibility(page, "hidden")
    page.wait_for_timeout(300)
    assert seen == []  # hiding does not check
    with page.expect_request("**/sso/session/"):
        set_visibility(page, "visible")
    assert len(seen) == 1


def test_check_runs_when_the_page_is_restored_by_back_navigation(page: Page, app):
    sign_in(page, app, "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Account").click()
    page.wait_for_load_state("networkidle")
    with page.expect_request("**/sso/session/"):
        page.go_back()
    assert path_of(page) == "/home/user/"


def test_check_runs_when_the_network_comes_back_and_the_offline_banner_comes_and_goes(page: Page, app, phone):
    sign_in(page, app, "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    banner = page.get_by_text("You are offline")
    expect(banner).to_be_hidden()
    phone.set_offline(True)
    expect(banner).to_be_visible()
    screenshot(page, "offline-banner-360")
    with page.expect_request("**/sso/session/"):
        phone.set_offline(False)
    expect(banner).to_be_hidden()


def test_offline_banner_when_the_check_gets_no_answer(page: Page, app, phone):
    page.clock.install()
    sign_in(page, app, "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    phone.route("**/sso/session/", lambda route: route.abort("internetdisconnected"))
    page.clock.run_for(61_000)
    expect(page.get_by_text("You are offline")).to_be_visible()
    phone.unroute("**/sso/session/")
    page.clock.run_for(61_000)
    expect(page.get_by_text("You are offline")).to_be_hidden()


def test_check_runs_every_interval_while_visible(page: Page, app):
    page.clock.install()
    sign_in(page, app, "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    seen = session_checks(page)
    page.clock.run_for(59_000)
    assert seen == []
    with page.expect_request("**/sso/session/"):
        page.clock.run_for(2_000)
    with page.expect_request("**/sso/session/"):
        page.clock.run_for(60_000)


def test_no_periodic_check_while_hidden(page: Page, app):
    page.clock.install()
    sign_in(page, app, "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    set_visibility(page, "hidden")
    seen = session_checks(page)
    page.clock.run_for(185_000)
    assert seen == []


def test_expired_refresh_takes_the_open_page_to_the_login_page(page: Page, app):
    page.clock.install()
    sign_in(page, app, "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    expire_refresh_token()
    page.clock.run_for(61_000)
    expect(page.get_by_text("Your MindSphere session has ended")).to_be_visible()
    assert path_of(page) == "/"
    expect(page.get_by_label("Tenant")).to_have_value("acme")
    screenshot(page, "session-ended-360")


def test_unreachable_mindsphere_shows_a_quiet_notice_and_retries(page: Page, app, clean_emulator):
    page.clock.install()
    sign_in(page, app, "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    set_expiries(access=timezone.now())
    clean_emulator.fault(mode="503", calls=1, tenant="acme")
    page.clock.run_for(61_000)
    notice = page.get_by_text("MindSphere is not reachable, retrying")
    expect(notice).to_be_visible()
    screenshot(page, "unavailable-notice-360")
    with page.expect_response("**/sso/session/") as answer:
        page.clock.run_for(31_000)  # Retry-After from the app (30 s by default)
    assert answer.value.status == 204
    expect(notice).to_be_hidden()


def test_wide_screen_gets_a_side_bar(browser, app):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, app, "acme", "admin@acme.example")
        menu = page.get_by_role("navigation", name="Main").bounding_box()
        assert menu["x"] == 0 and menu["height"] > 600 and menu["width"] < 300  # a column on the left
        main = page.locator("main").bounding_box()
        assert main["x"] >= menu["width"]  # the content is beside it, not under it
        screenshot(page, "home-admin-1280")
    finally:
        context.close()
