"""Blocks in a phone's browser at 360 px: the User home's asset list, the gallery with every block live
(screenshots in English and German, axe), and two blocks on one page failing each on its own."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from blocks.catalogue import BLOCKS
from tests.browser.conftest import PHONE_WIDTH, assert_fits_phone, screenshot, sign_in
from tests.browser.test_accessibility import assert_no_violations, audit


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
