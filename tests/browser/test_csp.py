"""The strict Content-Security-Policy breaks nothing: no violation on any page a person opens."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_no_page_violates_the_policy(page: Page, app):
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(app.url("/"))
    assert violations(page) == []
    sign_in(page, app, "acme", "admin@acme.example")  # the Login form redirects to the tenant's sign-in host
    seen = {}
    paths = ("/home/admin/", "/home/user/", "/assets/", "/manage/roles/", "/account/", "/account/sign-out-everywhere/")
    for path in (*paths, "/offline/"):
        page.goto(app.url(path))
        page.wait_for_load_state("networkidle")
        seen[path] = violations(page)
    page.goto(app.url("/assets/"))
    expect(page.locator("#asset-list")).to_be_visible()  # loaded by htmx into the page's shell
    page.locator("#asset-list a[href^='/assets/']").filter(has_text=re.compile(r"\w")).first.click()
    expect(page.locator(".chart-svg svg")).to_be_visible()  # the chart, loaded by htmx
    # Styled by assets/chart.css (no <style> in the SVG, so no nonce is needed for a swapped-in chart).
    fill = page.evaluate("getComputedStyle(document.querySelector('.chart-svg .plot > .background')).fill")
    assert fill == "rgb(255, 255, 255)"
    page.wait_for_load_state("networkidle")
    seen["asset"] = violations(page)
    assert {path: found for path, found in seen.items() if found} == {}
    assert console == []
    page.goto(app.url("/account/"))
    page.get_by_role("button", name="Sign out", exact=True).click()  # form-action: through the tenant's logout.do
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert violations(page) == [] and console == []
