"""axe-core (the engine Lighthouse's accessibility audit uses) finds nothing on any page, for any role, at 360 and 1280 px."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

PUMP = hashlib.md5(b"acme/Pump 01").hexdigest()
WIDTHS = (360, 1280)
AXE = Axe()


def violations_text(violations: list[dict]) -> str:
    """axe's violations as a reader wants them: rule, impact, help, and each offending element with why."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def audit(page: Page, url: str | None, label: str) -> list[str]:
    """Open `url` (None: the page as it is) at each width and run axe; the violations found, readable."""
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800 if width > 360 else 780})
        if url is not None:
            page.goto(url)
        page.wait_for_load_state("networkidle")
        results = AXE.run(page)
        violations = results.response["violations"]
        if violations:
            found.append(f"{label} at {width}px ({page.url}):\n{violations_text(violations)}")
    return found


def assert_no_violations(found: list[str]) -> None:
    assert not found, "axe-core found accessibility violations:\n\n" + "\n\n".join(found)


def make_export(email: str):
    from django.contrib.auth import get_user_model

    from assets.models import Export

    user = get_user_model().objects.get(mindsphere__email=email)
    now = timezone.now()
    return Export.objects.create(
        user=user,
        tenant="acme",
        asset_id=PUMP,
        asset_name="Pump 01",
        property_set="Environment",
        variables=["temperature"],
        start=now - timedelta(days=1),
        end=now,
        status=Export.Status.RUNNING,
        progress=40,
    )


def test_the_login_page_and_errors_for_anonymous_people(page: Page, app):
    found = audit(page, app.url("/"), "Login page")
    page.get_by_label("Tenant").fill("nosuchtenant")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found += audit(page, None, "Login page with an error")
    found += audit(page, app.url("/no-such-page/"), "404 (anonymous)")
    assert_no_violations(found)


def test_pages_with_messages_and_mindsphere_down(page: Page, app, clean_emulator):
    sign_in(page, app, "acme", "user@acme.example")
    expect(page.get_by_role("status").filter(has_text="Successfully signed in")).to_be_visible()
    found = audit(page, None, "home with the signed-in message")
    clean_emulator.fault(mode="503", target="gateway", calls=50, tenant="acme")
    found += audit(page, app.url("/assets/"), "503 (MindSphere not reachable)")
    clean_emulator.clear_faults()
    page.goto(app.url("/account/"))
    page.locator("#main").get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="You are signed out")).to_be_visible()
    found += audit(page, None, "Login page after sign-out")
    assert_no_violations(found)


@pytest.mark.parametrize("email", ["user@acme.example", "admin@acme.example"])
def test_every_page_of_a_role(page: Page, app, email):
    sign_in(page, app, "acme", email)
    home = page.url
    export = make_export(email)
    pages = [
        (home, "home"),
        (app.url("/assets/"), "asset list"),
        (app.url(f"/assets/{PUMP}/"), "asset page"),
        (app.url("/assets/exports/"), "exports"),
        (app.url(f"/assets/exports/{export.pk}/"), "export detail"),
        (app.url("/account/"), "Account page"),
        (app.url("/account/sign-out-everywhere/"), "Sign out everywhere?"),
        (app.url("/no-such-page/"), "404"),
        (app.url(f"/assets/{PUMP}/?range=forever"), "400"),
    ]
    if email.startswith("admin"):
        pages.append((app.url("/manage/roles/"), "/manage/roles/"))
    else:
        pages.append((app.url("/manage/roles/"), "403"))
    found = []
    for url, label in pages:
        found += audit(page, url, f"{email}: {label}")
    assert_no_violations(found)


def test_the_no_role_page(page: Page, app):
    sign_in(page, app, "acme", "norole@acme.example")
    expect(page.get_by_role("heading", name="No role assigned")).to_be_visible()
    found = audit(page, app.url("/"), "no-role page")
    found += audit(page, app.url("/account/"), "no-role: Account page")
    found += audit(page, app.url("/assets/"), "no-role: 403")
    assert_no_violations(found)
