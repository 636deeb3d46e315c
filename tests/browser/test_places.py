"""Clear places on a phone (360 px), in English and German: one home, a title said once, an Account
page with sign-out quiet at its end, a confirmed "Sign out everywhere", a language change in one tap,
and Account for people with no role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from sso.models import TokenRecord
from tests.browser.conftest import PHONE_WIDTH, assert_fits_phone, screenshot

PRODUCT = "MindSphere Mobile Starter"
# What each language calls the things these tests tap or read.
WORDS = {
    "en": {
        "sign in": "Sign in",
        "sign out": "Sign out",
        "everywhere": "Sign out everywhere",
        "cancel": "Cancel",
        "confirm": "Sign out everywhere?",
        "account": "Account",
        "no role": "Account and language",
        "signed out": "You are signed out.",
        "all signed out": "You are signed out on all your devices.",
        "menu": "Main",
        "now": "Die App ist jetzt auf Deutsch.",
        "other": "Deutsch",
    },
    "de": {
        "sign in": "Anmelden",
        "sign out": "Abmelden",
        "everywhere": "Überall abmelden",
        "cancel": "Abbrechen",
        "confirm": "Überall abmelden?",
        "account": "Konto",
        "no role": "Konto und Sprache",
        "signed out": "Sie sind abgemeldet.",
        "all signed out": "Sie sind auf allen Ihren Geräten abgemeldet.",
        "menu": "Hauptmenü",
        "now": "The app is now in English.",
        "other": "English",
    },
}

# Text a person can see: text nodes of rendered elements larger than the 1px of visually hidden ones.
VISIBLE_MATCHES = """pattern => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const element = walker.currentNode.parentElement;
        const box = element.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1 || !element.checkVisibility({visibilityProperty: true})) continue;
        for (const match of walker.currentNode.textContent.matchAll(new RegExp(pattern, "gi"))) found.push(match[0]);
    }
    return found;
}"""
# The app bar's title and the headings a person sees in the page below it.
TITLES = """() => {
    const seen = element => { const box = element.getBoundingClientRect(); return box.width > 1 && box.height > 1; };
    const bar = document.querySelector("#app-title");
    return {
        bar: bar ? bar.innerText.trim() : "",
        headings: [...document.querySelectorAll("#main h1, #main h2, #main h3")].filter(seen).map(h => h.innerText.trim()),
        h1: document.querySelectorAll("h1").length,
    };
}"""


@pytest.fixture(params=["en", "de"])
def language(request) -> str:
    return request.param


@pytest.fixture
def phone_page(browser: Browser, playwright: Playwright, language: str) -> Iterator[Page]:
    """A phone at 360 px whose browser asks for `language`."""
    profile = dict(playwright.devices["Pixel 7"], locale={"en": "en-GB", "de": "de-DE"}[language])
    profile["viewport"] = profile["screen"] = {"width": PHONE_WIDTH, "height": 780}
    context = browser.new_context(**profile)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, app, language: str, email: str) -> None:
    page.goto(app.url("/"))
    page.get_by_label("Tenant").fill("acme")
    page.get_by_role("button", name=WORDS[language]["sign in"]).click()
    page.get_by_label("Email").fill(email)  # the emulator's page stays English
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def visible(page: Page, text: str) -> list[str]:
    return page.evaluate(VISIBLE_MATCHES, re.escape(text))


def assert_title_said_once(page: Page) -> None:
    titles = page.evaluate(TITLES)
    assert titles["bar"].casefold() not in [heading.casefold() for heading in titles["headings"]], titles
    assert titles["h1"] == 1, titles


# --- 8: one home ------------------------------------------------------------------------------------


def test_a_person_with_both_roles_has_one_home_in_the_tab_bar(phone_page: Page, app, language):
    sign_in(phone_page, app, language, "admin@acme.example")
    expect(phone_page).to_have_url(re.compile(r"/home/admin/$"))
    menu = phone_page.get_by_role("navigation", name=WORDS[language]["menu"])
    labels = [label.strip() for label in menu.get_by_role("link").all_inner_texts()]
    assert (
        labels
        == {
            "en": ["Admin", "Assets", "Exports", "Roles", "Account"],
            "de": ["Admin", "Assets", "Exporte", "Rollen", "Konto"],
        }[language]
    )
    expect(menu.locator("a[href^='/home/']")).to_have_count(1)
    expect(menu.get_by_role("link", name="Admin")).to_have_attribute("aria-current", "page")
    assert_fits_phone(phone_page)
    screenshot(phone_page, f"places-home-admin-360-{language}")


# --- 9: a title said once ---------------------------------------------------------------------------


def test_the_login_page_names_the_product_once_and_says_sign_in_once(phone_page: Page, app, language):
    for width in (PHONE_WIDTH, 1280):  # the app's name shows beside the icon on wide screens
        phone_page.set_viewport_size({"width": width, "height": 780})
        phone_page.goto(app.url("/"))
        assert visible(phone_page, PRODUCT) == [PRODUCT]
        assert len(visible(phone_page, WORDS[language]["sign in"])) == 1
        expect(phone_page.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    phone_page.set_viewport_size({"width": PHONE_WIDTH, "height": 780})
    assert_fits_phone(phone_page)
    screenshot(phone_page, f"places-login-360-{language}")


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        (
            "admin@acme.example",
            ["/home/admin/", "/home/user/", "/manage/roles/", "/account/", "/account/sign-out-everywhere/"],
        ),
        ("norole@acme.example", ["/", "/account/"]),
    ],
    ids=["admin", "norole"],
)
def test_no_page_repeats_its_app_bar_title_as_its_heading(phone_page: Page, app, language, email, paths):
    sign_in(phone_page, app, language, email)
    for path in paths:
        phone_page.goto(app.url(path))
        phone_page.wait_for_load_state("networkidle")
        assert_title_said_once(phone_page)
        assert_fits_phone(phone_page)
        name = path.strip("/").replace("/", "-") or "no-role"
        screenshot(phone_page, f"places-{name}-360-{language}")


# --- 10: Account ------------------------------------------------------------------------------------


def test_account_has_sign_out_quiet_at_its_end(phone_page: Page, app, language):
    sign_in(phone_page, app, language, "user@acme.example")
    phone_page.goto(app.url("/account/"))
    words = WORDS[language]
    actions = phone_page.locator("#main").locator("a, button").all_inner_texts()
    assert [action.strip() for action in actions[-2:]] == [words["sign out"], words["everywhere"]]
    sign_out = phone_page.locator("#main").get_by_role("button", name=words["sign out"], exact=True)
    background = sign_out.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background == "rgba(0, 0, 0, 0)"  # a text button, not a filled one
    assert_fits_phone(phone_page)
    screenshot(phone_page, f"places-account-360-{language}")


def test_sign_out_everywhere_asks_first_and_cancel_keeps_you_signed_in(phone_page: Page, app, language):
    words = WORDS[language]
    sign_in(phone_page, app, language, "user@acme.example")
    phone_page.goto(app.url("/account/"))
    phone_page.get_by_role("link", name=words["everywhere"]).click()
    expect(phone_page.get_by_role("heading", name=words["confirm"])).to_be_visible()
    assert TokenRecord.objects.count() == 1  # asking signs nobody out
    assert_fits_phone(phone_page)
    screenshot(phone_page, f"places-sign-out-everywhere-360-{language}")
    phone_page.get_by_role("link", name=words["cancel"]).click()
    expect(phone_page).to_have_url(re.compile(r"/account/$"))
    assert TokenRecord.objects.count() == 1
    phone_page.get_by_role("link", name=words["everywhere"]).click()
    phone_page.get_by_role("button", name=words["everywhere"]).click()
    expect(phone_page.get_by_role("status")).to_contain_text(words["all signed out"])
    assert TokenRecord.objects.count() == 0


def test_the_language_changes_with_one_tap_and_says_so(phone_page: Page, app, language):
    sign_in(phone_page, app, language, "user@acme.example")
    phone_page.goto(app.url("/account/"))
    other = WORDS[language]["other"]
    phone_page.get_by_role("button", name=other).click()  # one tap
    expect(phone_page.get_by_role("status")).to_contain_text(WORDS[language]["now"])  # in the new language
    expect(phone_page.locator("html")).to_have_attribute("lang", {"en": "de", "de": "en"}[language])
    expect(phone_page.get_by_role("button", name=other)).to_have_attribute("aria-pressed", "true")
    assert_fits_phone(phone_page)
    screenshot(phone_page, f"places-language-changed-360-{language}")
    phone_page.reload()
    expect(phone_page.get_by_role("status")).to_have_count(0)  # said once


def test_a_person_with_no_role_opens_account_and_signs_out_there(phone_page: Page, app, language):
    words = WORDS[language]
    sign_in(phone_page, app, language, "norole@acme.example")
    phone_page.get_by_role("link", name=words["no role"]).click()
    expect(phone_page).to_have_url(re.compile(r"/account/$"))
    expect(phone_page.get_by_role("heading", name=words["account"])).to_be_visible()
    expect(phone_page.get_by_text("norole@acme.example")).to_be_visible()
    assert_fits_phone(phone_page)
    screenshot(phone_page, f"places-account-norole-360-{language}")
    phone_page.locator("#main").get_by_role("button", name=words["sign out"], exact=True).click()
    expect(phone_page.get_by_role("status")).to_contain_text(words["signed out"])
    assert TokenRecord.objects.count() == 0
