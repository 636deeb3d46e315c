"""Playwright fixtures: the machine's Chromium, a phone profile, and a signed-in page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
# plain synchronous calls, so Django's async-safety guard must not refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright  # noqa: E402

from tests.app_client import AppClient  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
PHONE_WIDTH = 360


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def serialized_contents(django_db_setup) -> str | None:
    """The database contents Django saved at setup for serialized rollback (roles from migrations)."""
    from django.db import connections

    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture(autouse=True)
def _restore_serialized_contents(serialized_contents) -> None:
    # Playwright's sync API switches greenlets, each with its own contextvars, and Django keeps
    # database connections per context: after Playwright starts, tests see a fresh connection
    # object without the saved contents, so serialized rollback would silently restore nothing.
    from django.db import connections

    if serialized_contents is not None:
        connections["default"]._test_serialized_contents = serialized_contents


@pytest.fixture(scope="session", autouse=True)
def playwright(serialized_contents) -> Iterator[Playwright]:
    # Autouse, so Playwright starts before any browser test touches the database (see above).
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as runner:
        yield runner


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser: Browser, playwright: Playwright) -> Iterator[BrowserContext]:
    """A Pixel 7 narrowed to 360 px, the smallest common phone width."""
    profile = dict(playwright.devices["Pixel 7"])
    profile["viewport"] = {"width": PHONE_WIDTH, "height": 780}
    profile["screen"] = {"width": PHONE_WIDTH, "height": 780}
    context = browser.new_context(**profile)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(phone: BrowserContext) -> Page:
    return phone.new_page()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, app: AppClient, tenant: str, email: str, password: str = "demo") -> None:
    page.goto(app.url("/"))
    page.get_by_label("Tenant").fill(tenant)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def assert_fits_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"horizontal scrolling: page is {width}px wide"
    small = page.evaluate(
        """() => [...document.querySelectorAll('a, button, input:not([type=hidden]), select')]
              .filter(e => e.offsetParent !== null)
              .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
              .filter(([, h]) => h < 44)"""
    )
    assert small == [], f"tap targets under 44px: {small}"
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(e => !e.labels.length && !e.getAttribute('aria-label'))
              .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert unlabelled == [], f"form fields without a label: {unlabelled}"
