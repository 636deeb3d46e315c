"""The Launchpad entrance in a real Chromium: emulated gateway → live app, at 360 px and 1280 px.

The person opens the app from the emulated Launchpad on the tenant's host name
(`acme.localhost:<port>`, as MindSphere's per-tenant host), the gateway signs them in at the
emulator, and the app signs them in from the gateway's bearer token, with the OS Bar (the
emulator's stand-in) on every page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from assets.models import Export
from sso.models import MindSphereIdentity
from tests.browser.conftest import PHONE_WIDTH, assert_fits_phone, screenshot
from tests.browser.conftest import sign_in as phone_sign_in
from tests.celery_worker import needs_redis
from tests.servers import Emulator, start_gateway

OSBAR = "/_gateway/osbar/v4/js/main.min.js"
PUMP = hashlib.md5(b"acme/Pump 01").hexdigest()  # emulator.demo.asset_id_for
WIDTHS = (PHONE_WIDTH, 1280)


@dataclass
class Launchpad:
    emulator: Emulator
    origin: str  # the tenant's host name at the gateway, e.g. http://acme.localhost:41234


@pytest.fixture(scope="session")
def session_gateway(emulator, live_server, tmp_path_factory) -> Iterator[str]:
    """One emulated gateway in front of the live app for the whole run, so its origin stays the same:
    Django's CSRF middleware (one instance in the live server) keeps the trusted origins it first read."""
    gateway = start_gateway(emulator, live_server.url, tmp_path_factory.mktemp("launchpad-gateway"))
    yield gateway.url
    gateway.stop()


@pytest.fixture
def launchpad(app, settings, clean_emulator, session_gateway) -> Launchpad:
    port = session_gateway.rsplit(":", 1)[1]
    settings.MINDSPHERE_GATEWAY_SIGN_IN = True
    settings.MINDSPHERE_OSBAR_URL = OSBAR
    settings.CSRF_TRUSTED_ORIGINS = [session_gateway, f"http://*.localhost:{port}"]
    return Launchpad(clean_emulator, f"http://acme.localhost:{port}")


def csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    return found


def open_from_launchpad(page: Page, launchpad: Launchpad, email: str) -> None:
    """Sign in at the gateway, then tap the app on the Launchpad."""
    page.goto(f"{launchpad.origin}/_gateway/launchpad")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="mobilestarter").click()
    expect(page.locator("nav[data-mdsp-osbar-ready]")).to_contain_text(email)


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def assert_bars_stack(page: Page) -> None:
    """The OS Bar above the app bar, the side menu (wide screens) below both: nothing overlaps."""
    osbar, topbar = box(page, "nav.mdsp-osbar"), box(page, "header.topbar")
    assert osbar["y"] + osbar["height"] <= topbar["y"] + 0.5, (osbar, topbar)
    menu = box(page, "nav.menu")
    if page.viewport_size["width"] >= 768:
        assert menu["y"] >= topbar["y"] + topbar["height"] - 0.5, (menu, topbar)
    else:  # the bottom tab bar
        assert menu["y"] >= topbar["y"] + topbar["height"], (menu, topbar)


@pytest.mark.parametrize("width", WIDTHS)
def test_opened_from_the_launchpad_the_role_home_wears_the_os_bar(page: Page, launchpad, width):
    violations = csp_violations(page)
    page.set_viewport_size({"width": width, "height": 780 if width == PHONE_WIDTH else 800})
    open_from_launchpad(page, launchpad, "admin@acme.example")
    assert page.url == f"{launchpad.origin}/home/admin/"
    expect(page.get_by_role("heading", name="Admin", exact=False).first).to_be_visible()
    bar = page.locator("nav.mdsp-osbar")
    expect(bar).to_contain_text("MindSphere Mobile Starter")
    assert page.evaluate("document.querySelector('nav.mdsp-osbar').nextElementSibling.id") == "_mdspcontent"
    bar.get_by_text("About").click()
    expect(bar).to_contain_text("Version 1.0.0")
    assert_bars_stack(page)
    if width == PHONE_WIDTH:
        assert_fits_phone(page)
    expect(page.locator("form.menu-signout")).to_have_count(0)  # the OS Bar signs out
    results = Axe().run(page).response["violations"]
    assert results == [], results
    screenshot(page, f"launchpad-admin-home-{width}")
    assert violations == []


def test_every_post_of_an_admin_goes_through_the_gateway(page: Page, launchpad):
    open_from_launchpad(page, launchpad, "admin@acme.example")
    page.goto(f"{launchpad.origin}/manage/roles/")
    page.locator("select[name='scope-user']").select_option("Admin")
    page.get_by_role("button", name="Save mapping").click()
    expect(page.locator(".message-success").first).to_be_visible()
    from sso.models import ScopeRoleMapping

    assert ScopeRoleMapping.objects.get(tenant="acme", scope="user").group.name == "Admin"
    # A native form (the language): submitted through htmx with x-xsrf-token, the OS Bar stays.
    page.goto(f"{launchpad.origin}/account/")
    page.get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("heading", name="Konto")).to_be_visible()
    expect(page.locator("nav[data-mdsp-osbar-ready]")).to_have_count(1)


def test_the_gateway_session_ending_keeps_what_was_typed_until_the_person_signs_in_again(page: Page, launchpad):
    open_from_launchpad(page, launchpad, "admin@acme.example")
    page.goto(f"{launchpad.origin}/manage/roles/")
    page.locator("select[name='scope-user']").select_option("Admin")
    page.evaluate(
        "document.querySelector(\"select[name='scope-user']\").dispatchEvent(new Event('input', {bubbles: true}))"
    )
    launchpad.emulator.fault(mode="session_over", tenant="acme")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # a check, as on resume
    notice = page.locator("#mindsphere-session-over")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Your MindSphere session has ended")
    assert page.locator("select[name='scope-user']").input_value() == "Admin"  # nothing lost
    assert page.url == f"{launchpad.origin}/manage/roles/"
    notice.get_by_role("button", name="Sign in again").click()
    # The gateway signs in again at the emulator (its sign-in session still holds) and comes back.
    page.wait_for_url(f"{launchpad.origin}/manage/roles/")
    expect(page.locator("nav[data-mdsp-osbar-ready]")).to_contain_text("admin@acme.example")


def test_both_entrances_side_by_side_are_the_same_person(browser: Browser, phone: BrowserContext, launchpad, app):
    through_gateway = phone.new_page()
    open_from_launchpad(through_gateway, launchpad, "user@acme.example")
    other: BrowserContext = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 780})
    try:
        own_sign_in = other.new_page()
        phone_sign_in(own_sign_in, app, "acme", "user@acme.example")
        expect(own_sign_in.locator("#mindsphere-lifecycle[hx-get]")).to_have_count(1)  # the app's own check
        expect(own_sign_in.locator("nav.mdsp-osbar")).to_have_count(0)
        expect(through_gateway.locator("#mindsphere-lifecycle[data-gateway]")).to_have_count(1)
        assert own_sign_in.url.endswith("/home/user/") and through_gateway.url.endswith("/home/user/")
        assert MindSphereIdentity.objects.filter(tenant="acme", email="user@acme.example").count() == 1
        # Each goes on in its own session.
        through_gateway.reload()
        own_sign_in.reload()
        expect(through_gateway.locator("nav[data-mdsp-osbar-ready]")).to_contain_text("user@acme.example")
        assert own_sign_in.url.endswith("/home/user/")
    finally:
        other.close()


@needs_redis
def test_an_export_through_the_gateway_runs_in_the_worker_and_downloads(
    page: Page, launchpad, start_worker, app_publishes_to_redis
):
    start_worker()
    open_from_launchpad(page, launchpad, "user@acme.example")
    page.goto(f"{launchpad.origin}/assets/{PUMP}/")
    today = date.today()
    page.get_by_label("Data").select_option("Environment")
    page.get_by_label("From (UTC)").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("To (UTC, inclusive)").fill(today.isoformat())
    page.get_by_role("button", name="Export CSV").click()  # htmx, with x-xsrf-token
    download_link = page.get_by_role("link", name="Download CSV")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_link.click()
    with open(info.value.path(), encoding="utf-8") as handle:
        assert handle.readline().strip() == "_time,temperature,humidity"
    assert Export.objects.get().technical  # read with the app's own token for acme, in the worker


@pytest.mark.parametrize(
    "forged", ["not-a-token", "eyJhbGciOiJub25lIn0.eyJ0ZW4iOiJhY21lIn0."], ids=["garbage", "alg-none"]
)
def test_a_refused_token_gets_a_clear_page(page: Page, launchpad, app, forged):
    """What a person would see if something other than MindSphere's gateway sent a token: why, and no way in."""
    page.set_extra_http_headers({"Authorization": f"Bearer {forged}"})
    response = page.goto(app.url("/home/admin/"))
    assert response is not None and response.status == 401
    expect(page.get_by_role("heading", name="MindSphere's sign-in was refused")).to_be_visible()
    expect(page.get_by_text("Open the app again from the MindSphere Launchpad")).to_be_visible()
    assert_fits_phone(page)
    results = Axe().run(page).response["violations"]
    assert results == [], results
