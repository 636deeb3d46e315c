"""The session check of a session that signs no one in stores nothing, and ends no sign-in in progress."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from tests.conftest import session_check

pytestmark = pytest.mark.skipif(
    settings.SESSION_ENGINE != "django.contrib.sessions.backends.db", reason="counts session rows"
)


@pytest.mark.parametrize("cookie", ["made-up-0123456789abcdefghijklmnop", "", "x" * 300])
@pytest.mark.parametrize("htmx", [True, False])
def test_checks_with_a_stale_or_made_up_cookie_store_no_session(app, cookie, htmx):
    browser = app.new_browser()
    rows = Session.objects.count()
    for _ in range(5):
        browser.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
        response = session_check(app, browser, htmx=htmx)
        assert response.status_code == (401 if htmx else 302)
    assert Session.objects.count() == rows


def test_a_check_after_the_session_ended_says_so_on_the_login_page_once(app):
    result = app.sign_in("acme", "user@acme.example")
    Session.objects.all().delete()  # e.g. housekeeping
    rows = Session.objects.count()
    response = session_check(app, result.browser)
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/"
    assert Session.objects.count() == rows  # told through a signed cookie, not a stored message
    page = result.browser.get(app.url("/"), timeout=10)
    assert "Your MindSphere session has ended" in page.text
    assert "Your MindSphere session has ended" not in result.browser.get(app.url("/"), timeout=10).text


def test_a_forged_signed_out_cookie_says_nothing(app):
    browser = app.new_browser()
    browser.cookies.set("mindsphere_signed_out", "everywhere")  # not signed by the app
    page = browser.get(app.url("/"), timeout=10)
    assert page.status_code == 200 and "all your devices" not in page.text


def test_a_check_does_not_end_a_sign_in_in_progress_in_another_tab(app):
    """A laptop signed out everywhere: tab B signs in again (its Login page was open) while tab A's page checks."""
    laptop = app.sign_in("acme", "user@acme.example").browser
    phone = app.sign_in("acme", "user@acme.example").browser
    app.post(phone, "/sso/logout/everywhere/")
    # Tab B submits a tenant form it had open: the sign-in's state and PKCE verifier go into the
    # laptop's session (the one "Sign out everywhere" marked).
    started = laptop.post(
        app.url("/accounts/mindsphere/login/"),
        data={"csrfmiddlewaretoken": laptop.cookies.get("csrftoken"), "tenant": "acme"},
        headers={"Referer": app.url("/")},
        allow_redirects=False,
        timeout=15,
    )
    assert started.status_code == 302
    # Tab A's open page checks its session: told it was signed out everywhere.
    check = session_check(app, laptop, htmx=False)
    assert check.status_code in (302, 401)
    # Tab B comes back from MindSphere (still signed in there, it asks nothing) and lands signed in.
    landed = app.follow(laptop, started, [])
    assert urlsplit(landed.url).path == "/home/user/", landed.text[:300]
    assert session_check(app, laptop).status_code == 204
