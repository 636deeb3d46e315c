"""Keyboard use: Tab reaches each page's main actions, in order, and the focused control always shows a ring."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

# What the focused element is and whether its ring shows: :focus-visible matches and the outline is drawn.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  return {
    name: (element.getAttribute('aria-label') || element.innerText || element.value || element.id || element.tagName).trim(),
    tag: element.tagName.toLowerCase(),
    focusVisible: element.matches(':focus-visible'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def tab_through(page: Page, presses: int = 30) -> list[dict]:
    """Press Tab from the top of the page; every element focused on the way (stops when focus wraps)."""
    page.locator("body").focus()
    seen: list[dict] = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (seen and focused == seen[0]):
            break
        seen.append(focused)
    return seen


def assert_rings_visible(stops: list[dict]) -> None:
    hidden = [stop for stop in stops if not (stop["focusVisible"] and stop["outline"])]
    assert not hidden, f"focus without a visible ring: {hidden}"


def names(stops: list[dict]) -> list[str]:
    return [re.sub(r"\s+", " ", stop["name"]) for stop in stops]


def test_the_login_page_works_from_the_keyboard(page: Page, app):
    page.goto(app.url("/"))
    stops = tab_through(page)
    assert_rings_visible(stops)
    order = names(stops)
    assert "tenant" in order and "Sign in" in order, order
    assert order.index("tenant") < order.index("Sign in")  # the field, then its button

    # Sign in with the keyboard only: type the tenant, Enter sends the form to MindSphere's page.
    page.locator("body").focus()
    while page.evaluate("document.activeElement.id") != "tenant":
        page.keyboard.press("Tab")
    page.keyboard.type("acme")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Email")).to_be_visible()  # the emulator's sign-in form


def test_a_signed_in_page_works_from_the_keyboard(page: Page, app):
    sign_in(page, app, "acme", "user@acme.example")
    expect(page).to_have_url(re.compile(r"/home/user/$"))
    # The asset list block loads after the page: its links are tab stops too, so wait for them first.
    expect(page.locator(".block-region .asset-list")).to_be_visible()
    stops = tab_through(page)
    assert_rings_visible(stops)
    order = names(stops)
    for action in ("Browse your assets", "Assets", "Account"):
        assert action in order, f"Tab never reaches {action!r}: {order}"
    assert order.index("Browse your assets") < order.index("Account")  # the page's action before the menu

    # Enter on a focused menu link opens it.
    page.locator("body").focus()
    for _ in range(len(stops)):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED)["name"] == "Account":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
