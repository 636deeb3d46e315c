"""Blocks in a phone's browser at 360 px: the User home's asset list, the gallery with every block live
(screenshots in English and German, axe), and two blocks on one page failing each on its own."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, Playwright, expect

from blocks.catalogue import BLOCKS
from tests.assets.test_pages import PUMP_01
from tests.browser.conftest import PHONE_WIDTH, assert_fits_phone, screenshot, sign_in
from tests.browser.test_accessibility import assert_no_violations, audit
from tests.browser.test_keyboard import assert_rings_visible, names, tab_through
from tests.servers import free_port


@pytest.fixture
def operator(settings):
    """acme's admins are the app's operators: the gallery is theirs."""
    settings.MINDSPHERE_OPERATOR_TENANTS = ["acme"]


def all_loaded(page: Page) -> None:
    """Every block's region has come: no loading region is left on the page."""
    expect(page.locator("[data-mindsphere-load]")).to_have_count(0, timeout=30_000)


def block(page: Page, heading: str):
    return page.locator("section.block").filter(has=page.get_by_role("heading", name=heading, exact=True))


def test_the_user_home_lists_assets_in_its_block(page: Page, app):
    sign_in(page, app, "acme", "user@acme.example")
    expect(page).to_have_url(app.url("/home/user/"))
    assets = block(page, "Your assets")
    expect(assets.locator(".asset-name")).to_have_count(5, timeout=30_000)
    expect(assets.get_by_text("28 assets")).to_be_visible()
    expect(assets.get_by_role("link", name="Browse your assets")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "home-user-blocks-360")
    # From the keyboard: the block's assets, then its button, each with a visible ring, before the menu.
    stops = tab_through(page, presses=40)
    assert_rings_visible(stops)
    order = names(stops)
    assert order.index("Browse your assets") < order.index("Account"), order
    first_asset = next(index for index, name in enumerate(order) if name.startswith("Compressor 03"))
    assert first_asset < order.index("Browse your assets"), order


def test_the_gallery_shows_every_block_live(page: Page, app, operator):
    sign_in(page, app, "acme", "admin@acme.example")
    page.goto(app.url("/blocks/"))
    all_loaded(page)
    for each in BLOCKS.values():
        expect(page.locator("pre.paste code", has_text=f"{{% {each.tag}").first).to_be_visible()
    expect(page.locator(".chart-svg svg")).to_be_visible()
    expect(page.get_by_role("heading", name="Latest values of Environment")).to_be_visible()
    expect(page.locator("dl.facts dt", has_text="temperature")).to_be_visible()
    expect(page.get_by_role("button", name="Export CSV")).to_be_visible()
    expect(page.get_by_role("heading", name="People of acme")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "blocks-gallery-360")
    assert_no_violations(audit(page, None, "the block gallery"))


def test_the_gallery_in_german(browser: Browser, playwright: Playwright, app, operator):
    profile = dict(playwright.devices["Pixel 7"], locale="de-DE")
    profile["viewport"] = profile["screen"] = {"width": PHONE_WIDTH, "height": 780}
    context = browser.new_context(**profile)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(app.url("/"))
    page.get_by_label("Tenant").fill("acme")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_label("Email").fill("admin@acme.example")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto(app.url("/blocks/"))
    all_loaded(page)
    expect(page.get_by_role("heading", name="Bausteine für Startseiten der Rollen")).to_be_visible()
    expect(page.get_by_role("heading", name="Neueste Werte von Environment")).to_be_visible()
    expect(page.get_by_role("link", name="Ihre Assets ansehen").first).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "blocks-gallery-360-de")
    context.close()


def test_two_blocks_on_a_page_fail_each_on_its_own(page: Page, app, operator, clean_emulator):
    sign_in(page, app, "acme", "admin@acme.example")
    # MindSphere's time series answer 429 for a while; Asset Management and the aggregates answer.
    clean_emulator.fault(mode="429", target="gateway", tenant="acme", path="/iottimeseries/", calls=1000)
    page.goto(app.url("/blocks/"))
    all_loaded(page)
    latest = block(page, "Latest values of Environment")
    expect(latest.get_by_role("alert")).to_contain_text("too many requests")
    expect(block(page, "Assets matching “Pump”").locator(".asset-name")).to_have_count(5)  # the other block is whole
    expect(page.get_by_role("button", name="Export CSV")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "blocks-one-failing-360")
    clean_emulator.clear_faults()
    latest.get_by_role("link", name="Try again").click()  # reloads that block alone
    expect(latest.locator("dl.facts dt", has_text="temperature")).to_be_visible()
    expect(latest.get_by_role("alert")).to_have_count(0)


# --- a role home of every block, in a copy of the project -----------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
EVERY_BLOCK = "fleet,assets,latest,chart,export,link,mapping,people"


def add_app_scope(emulator, name: str) -> None:
    """A new app role of the app in the emulator, as Developer Cockpit adds one (no control for it: its database)."""
    with sqlite3.connect(emulator.database) as database:
        (application,) = database.execute("SELECT id FROM emulator_application WHERE name = 'mobilestarter'").fetchone()
        database.execute("INSERT INTO emulator_appscope (application_id, name) VALUES (?, ?)", (application, name))


@pytest.fixture
def copied_project(tmp_path, emulator_factory) -> Iterator[tuple[str, object]]:
    """A copy of the project with a role Maintenance whose home has every block, served by `runserver`."""
    emulator = emulator_factory()
    add_app_scope(emulator, "maintenance")
    emulator.set_app_scopes("acme", "user@acme.example", ["maintenance"])
    project = tmp_path / "project"
    ignored = (".venv", ".git", "tests", "var", "media", "staticfiles", "*.sqlite3", "__pycache__", "test-artifacts")
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(*ignored))
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}",
        MINDSPHERE_AUTH_URL=emulator.url + "/{tenant}",
        MINDSPHERE_GATEWAY_URL=emulator.url + "/gateway",
        PYTHONUNBUFFERED="1",
    )
    manage = [sys.executable, "manage.py"]
    run = dict(cwd=project, env=env, capture_output=True, text=True, timeout=300)
    blocks = ["--blocks", EVERY_BLOCK, "--asset", PUMP_01, "--aspect", "Environment"]
    for command in (["startrolehome", "Maintenance", "--scope", "maintenance", *blocks], ["migrate", "-v0"]):
        done = subprocess.run([*manage, *command], **run)
        assert done.returncode == 0, done.stderr
    port = free_port()
    log = (tmp_path / "app.log").open("w")
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=project, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(300):
            try:
                if requests.get(url + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield url, emulator
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_a_role_home_of_every_block_written_by_the_command(page: Page, copied_project):
    url, _emulator = copied_project
    page.goto(url + "/")
    page.get_by_label("Tenant").fill("acme")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill("user@acme.example")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(url + "/home/maintenance/")
    expect(page.get_by_text("This is the home page of the role Maintenance.")).to_be_visible()
    all_loaded(page)
    expect(page.get_by_role("heading", name="Your fleet")).to_be_visible()
    expect(block(page, "Your assets").locator(".asset-name")).to_have_count(5)
    expect(block(page, "Latest values of Environment").locator("dl.facts dt", has_text="temperature")).to_be_visible()
    expect(page.locator(".chart-svg svg")).to_be_visible()
    expect(page.get_by_role("button", name="Export CSV")).to_be_visible()
    expect(page.locator("a.block-link", has_text="Browse your assets")).to_be_visible()
    # The tenant admin's blocks are on the page's template, and show nothing to this role.
    expect(page.get_by_role("heading", name="Scopes and roles of acme")).to_have_count(0)
    expect(page.get_by_role("heading", name="People of acme")).to_have_count(0)
    assert_fits_phone(page)
    screenshot(page, "home-every-block-360")


def test_a_slow_block_says_so_while_the_others_show_their_data(page: Page, app, operator, clean_emulator):
    sign_in(page, app, "acme", "admin@acme.example")
    # Only the latest values' time series hang (until cleared): its block waits, the others do not.
    clean_emulator.fault(mode="hang", target="gateway", tenant="acme", path="/iottimeseries/", hang_seconds=8)
    page.goto(app.url("/blocks/"))
    latest = block(page, "Latest values of Environment")
    expect(latest.get_by_text("Still waiting for MindSphere…")).to_be_visible(timeout=10_000)
    expect(block(page, "Assets matching “Pump”").locator(".asset-name")).to_have_count(5)
    expect(page.locator(".chart-svg svg")).to_be_visible()  # the chart's aggregates answered
    screenshot(page, "blocks-one-slow-360")
    clean_emulator.clear_faults()
    latest.get_by_role("button", name="Retry").click()
    expect(latest.locator("dl.facts dt", has_text="temperature")).to_be_visible(timeout=30_000)
