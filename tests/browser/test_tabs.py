"""Two tabs of one browser share one session: what one tab does must not break the other."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, expect

from sso.models import TokenRecord
from tests.browser.conftest import sign_in


def test_a_signed_out_tab_does_not_break_a_sign_in_in_another_tab(phone: BrowserContext, app):
    tab_b = phone.new_page()
    sign_in(tab_b, app, "acme", "user@acme.example")
    expect(tab_b).to_have_url(re.compile(r"/home/user/$"))
    tab_b.wait_for_load_state("networkidle")

    # Tab A signs out; tab B still shows the home page, with the lifecycle include, now signed out.
    tab_a = phone.new_page()
    tab_a.goto(app.url("/account/"))
    tab_a.get_by_role("button", name="Sign out", exact=True).last.click()
    expect(tab_a.get_by_text("You are signed out.")).to_be_visible()

    # Tab A starts signing in again and stops at MindSphere's sign-in form.
    tab_a.get_by_label("Tenant").fill("acme")
    tab_a.get_by_role("button", name="Sign in").click()
    expect(tab_a.get_by_label("Password")).to_be_visible()

    # Tab B's check runs (here as when the network comes back; so it does every minute): anonymous now.
    with tab_b.expect_response("**/sso/session/") as checked:
        tab_b.evaluate("window.dispatchEvent(new Event('online'))")
    assert checked.value.status == 401
    expect(tab_b).to_have_url(re.compile(r"/\?next=%2Fhome%2Fuser%2F$"))  # htmx follows HX-Redirect
    expect(tab_b.get_by_label("Tenant")).to_be_visible()

    # Tab A finishes its sign-in: the state it started with is still in the session.
    tab_a.get_by_label("Email").fill("user@acme.example")
    tab_a.get_by_label("Password").fill("demo")
    tab_a.get_by_role("button", name="Sign in").click()
    expect(tab_a).to_have_url(re.compile(r"/home/user/$"))
    expect(tab_a.get_by_text("Successfully signed in as user@acme.example (acme).")).to_be_visible()
    assert TokenRecord.objects.count() == 1
