"""The emulated gateway in a real Chromium: tenant host name, sign-in, the OS Bar stand-in under a strict CSP, sign-out.

The app behind the gateway is tests/emulator/echo_app.py's page, which loads the OS Bar as an app
will: the script from the gateway, `_mdsp.init` from a file of its own, no inline script or style.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_fits_phone, screenshot
from tests.emulator.echo_app import start_echo_app
from tests.servers import start_emulator, start_gateway


@pytest.fixture
def gateway_url(emulator_template, tmp_path) -> Iterator[str]:
    app = start_echo_app()
    emulator = start_emulator(emulator_template, tmp_path / "emulator")
    gateway = start_gateway(emulator, app.url, tmp_path / "gateway")
    yield gateway.url
    gateway.stop()
    emulator.stop()
    app.stop()


def test_sign_in_by_tenant_host_name_os_bar_and_sign_out(page: Page, gateway_url):
    port = gateway_url.rsplit(":", 1)[1]
    origin = f"http://acme.localhost:{port}"
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )

    page.goto(f"{origin}/page")
    page.get_by_label("Email").fill("user@acme.example")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{origin}/page")

    bar = page.locator("nav[data-mdsp-osbar-ready]")
    expect(bar).to_contain_text("ACME Corporation (acme)")
    expect(bar).to_contain_text("user@acme.example")
    expect(bar).to_contain_text("Echo app")
    expect(page.locator("#initialized")).to_have_text("initialized")
    assert page.evaluate("document.querySelector('nav.mdsp-osbar').nextElementSibling.id") == "_mdspcontent"
    bar.get_by_text("About").click()
    expect(bar).to_contain_text("Version 1.2.3")
    assert_fits_phone(page)
    screenshot(page, "gateway-osbar")
    assert violations == []

    bar.get_by_role("link", name="Launchpad").click()
    page.wait_for_url(f"{origin}/_gateway/launchpad")
    app = page.get_by_role("link", name="mobilestarter")
    expect(app).to_have_attribute("href", "/")
    expect(page.locator("nav.mdsp-osbar")).to_contain_text("user@acme.example")  # the Launchpad wears it too

    page.locator("nav.mdsp-osbar").get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    assert page.url == f"{origin}/_gateway/signed-out"
    page.goto(f"{origin}/page")
    expect(page.get_by_label("Password")).to_be_visible()  # the sign-in service forgot the person too
