"""Signing in through the live app and the emulator, over real HTTP."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from sso import texts
from sso.models import MindSphereIdentity, TokenRecord
from tests.app_client import csrf_from
from tests.conftest import session_check
from tests.servers import free_port

DEMO_LANDINGS = [
    ("acme", "admin@acme.example", "/home/admin/", 200),
    ("acme", "user@acme.example", "/home/user/", 200),
    ("acme", "norole@acme.example", "/", 403),
    ("acme", "consultant@example.com", "/home/user/", 200),
    ("globex", "admin@globex.example", "/home/admin/", 200),
    ("globex", "consultant@example.com", "/home/admin/", 200),
    # People of acme's subtenants: their admin scope gives them no admin role (docs/tenancy.md).
    ("acme", "north-admin@acme.example", "/home/user/", 200),
    ("acme", "north-user@acme.example", "/home/user/", 200),
    ("acme", "south-admin@acme.example", "/home/user/", 200),
    ("acme", "south-user@acme.example", "/home/user/", 200),
]


def test_login_page_is_the_anonymous_home(app):
    browser = app.new_browser()
    page = browser.get(app.url("/"), allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert 'name="tenant"' in page.text and "Sign in" in page.text
    # Signing in needs no JavaScript: a plain form posts the tenant (the other tests sign in without JS).
    assert 'method="post" action="/accounts/mindsphere/login/"' in page.text
    assert 'type="submit"' in page.text


@pytest.mark.parametrize(("tenant", "email", "landing", "status"), DEMO_LANDINGS)
def test_each_demo_user_lands_on_their_role_home(app, tenant, email, landing, status):
    result = app.sign_in(tenant, email)
    assert urlsplit(result.final.url).path == landing
    assert result.final.status_code == status
    if status == 403:
        assert "No role assigned" in result.final.text
        assert "Settings" in result.final.text and "Sign out" in result.final.text
        assert "Successfully signed in" not in result.final.text  # no green banner above "No role assigned"
    else:
        assert "Successfully signed in" in result.final.text
    identity = MindSphereIdentity.objects.get(email=email, tenant=tenant)
    assert TokenRecord.objects.filter(user=identity.user, tenant=tenant).count() == 1


def test_sign_in_uses_pkce_and_state(app):
    browser = app.new_browser()
    started = app.start_sign_in(browser, "acme")
    query = parse_qs(urlsplit(started.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 12
    assert urlsplit(started.headers["Location"]).path == "/acme/oauth/authorize"


def test_session_lives_as_long_as_the_refresh_token(app):
    result = app.sign_in("acme", "user@acme.example")
    record = TokenRecord.objects.get()
    session = Session.objects.get(session_key=record.session_key)
    assert abs((session.expire_date - record.refresh_expires_at).total_seconds()) < 2
    assert timedelta(hours=11, minutes=59) < record.refresh_expires_at - timezone.now() <= timedelta(hours=12)
    cookie = next(c for c in result.browser.cookies if c.name == "sessionid")
    assert cookie.expires and abs(cookie.expires - record.refresh_expires_at.timestamp()) < 2


def test_last_tenant_is_prefilled(app):
    result = app.sign_in("globex", "admin@globex.example")
    app.post(result.browser, "/sso/logout/")
    page = result.browser.get(app.url("/"), timeout=10)
    assert 'value="globex"' in page.text


def test_same_email_in_two_tenants_is_two_people(app):
    app.sign_in("acme", "consultant@example.com")
    app.sign_in("globex", "consultant@example.com")
    identities = MindSphereIdentity.objects.filter(email="consultant@example.com")
    assert {identity.tenant for identity in identities} == {"acme", "globex"}
    assert len({identity.user_id for identity in identities}) == 2
    acme = identities.get(tenant="acme").user
    globex = identities.get(tenant="globex").user
    assert set(acme.groups.values_list("name", flat=True)) == {"User"}
    assert set(globex.groups.values_list("name", flat=True)) == {"Admin", "User"}


def test_signing_in_again_reuses_the_same_user(app):
    app.sign_in("acme", "user@acme.example")
    app.sign_in("acme", "user@acme.example")
    assert get_user_model().objects.count() == 1
    assert TokenRecord.objects.count() == 2  # two browsers, two sessions


@pytest.mark.parametrize(
    "raw",
    ["evil.com/x", "a.b", "%2e", "../acme", "acme?x=1", "ünïcode", "a" * 300, "", "a", "-acme", "acme-", "ac me"],
)
def test_bad_tenant_gets_the_login_page_with_a_message_and_no_redirect(app, raw):
    browser = app.new_browser()
    response = app.start_sign_in(browser, raw)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert 'role="alert"' in response.text
    assert "tenant" in response.text.lower()


def test_tenant_is_trimmed_and_lower_cased(app):
    result = app.sign_in("  ACME ", "user@acme.example")
    assert urlsplit(result.final.url).path == "/home/user/"


def test_allowed_tenants_limit_sign_in(app, settings):
    settings.MINDSPHERE_ALLOWED_TENANTS = ["acme"]
    refused = app.start_sign_in(app.new_browser(), "globex")
    assert refused.status_code == 400 and "not available" in refused.text
    assert app.start_sign_in(app.new_browser(), "acme").status_code == 302


def test_unknown_tenant_is_told_on_the_login_page(app, emulator):
    before = emulator.stats()
    response = app.start_sign_in(app.new_browser(), " NoSuchTenant ")
    assert response.status_code == 400 and "Location" not in response.headers
    assert "We could not find the tenant nosuchtenant." in response.text
    assert 'value=" NoSuchTenant "' in response.text  # what was typed stays in the field
    assert emulator.stats() == before  # nobody was sent to MindSphere


def test_unreachable_mindsphere_is_told_on_the_login_page(app, settings):
    settings.MINDSPHERE_AUTH_URL = f"http://127.0.0.1:{free_port()}/{{tenant}}"  # nothing listens there
    response = app.start_sign_in(app.new_browser(), "acme")
    assert response.status_code == 503 and "Location" not in response.headers
    assert int(response.headers["Retry-After"]) > 0
    assert str(texts.SIGNIN_UNAVAILABLE) in response.text and 'value="acme"' in response.text


def test_a_signed_out_tab_checking_its_session_does_not_break_a_sign_in_in_another_tab(app):
    """Tab A is at MindSphere's sign-in form; tab B (same browser, signed out) runs its session check."""
    browser = app.new_browser()
    started = app.start_sign_in(browser, "acme")  # tab A: the sign-in state is in this session
    form = app.follow(browser, started, [])
    check = session_check(app, browser)  # tab B: anonymous, so it must leave the session alone
    assert check.status_code == 401 and check.headers["HX-Redirect"] == "/"
    posted = browser.post(
        form.url,
        data={"csrfmiddlewaretoken": csrf_from(form.text), "email": "user@acme.example", "password": "demo"},
        headers={"Referer": form.url},
        allow_redirects=False,
        timeout=10,
    )
    landing = app.follow(browser, posted, [])
    assert urlsplit(landing.url).path == "/home/user/", landing.text[:300]


def test_no_cookie_carries_a_message(app):
    """Messages can name a person or a tenant: they live in the session, never in a cookie."""
    result = app.sign_in("acme", "user@acme.example")
    signed_out = app.follow(result.browser, app.post(result.browser, "/sso/logout/"), result.hops)
    assert "You are signed out." in signed_out.text
    set_cookies = [hop.headers.get("Set-Cookie", "") for hop in result.hops + [result.final, signed_out]]
    cookies = [f"{cookie.name}={cookie.value}" for cookie in result.browser.cookies]
    assert all("messages" not in text for text in set_cookies + cookies)
    for text in ("Successfully signed in", "signed out", "user@acme.example"):
        assert all(text not in value for value in set_cookies + cookies)


def _callback_url(app, tenant: str, email: str):
    return app.until_callback(tenant, email)


def _landing(app, browser, url: str):
    return app.land(browser, url)


def test_tampered_state_is_refused(app):
    browser, callback = _callback_url(app, "acme", "user@acme.example")
    tampered = callback.replace("state=", "state=x")
    landing = _landing(app, browser, tampered)
    assert urlsplit(landing.url).path == "/"
    assert "expired or was already used" in landing.text
    assert TokenRecord.objects.count() == 0


def test_replayed_callback_is_refused(app):
    browser, callback = _callback_url(app, "acme", "user@acme.example")
    first = _landing(app, browser, callback)
    assert urlsplit(first.url).path == "/home/user/"
    other = app.new_browser()
    replay = _landing(app, other, callback)
    assert urlsplit(replay.url).path == "/" and 'name="tenant"' in replay.text
    assert TokenRecord.objects.count() == 1


def test_tampered_code_is_refused(app):
    browser, callback = _callback_url(app, "acme", "user@acme.example")
    landing = _landing(app, browser, callback.replace("code=", "code=x"))
    assert urlsplit(landing.url).path == "/"
    assert "did not accept" in landing.text
    assert TokenRecord.objects.count() == 0


def test_error_from_mindsphere_is_shown_plainly(app):
    browser, callback = _callback_url(app, "acme", "user@acme.example")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    landing = _landing(app, browser, app.url(f"/accounts/mindsphere/login/callback/?error=access_denied&state={state}"))
    assert urlsplit(landing.url).path == "/"
    assert "cancelled" in landing.text


def test_token_failing_validation_signs_nobody_in(app):
    browser, callback = _callback_url(app, "acme", "user@acme.example")
    # Seen from a clock two hours behind, the fresh token is issued in the future: validation must refuse it.
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=True):
        landing = _landing(app, browser, callback)
    assert urlsplit(landing.url).path == "/"
    assert "could not be verified" in landing.text
    assert TokenRecord.objects.count() == 0
    assert MindSphereIdentity.objects.count() == 0


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "http://127.0.0.1.evil.example/"]
)
def test_next_never_leaves_the_site(app, next_url):
    result = app.sign_in("acme", "user@acme.example", next_url=next_url)
    assert urlsplit(result.final.url).netloc == urlsplit(app.base_url).netloc
    assert urlsplit(result.final.url).path == "/home/user/"


def test_next_on_the_site_is_honoured(app):
    result = app.sign_in("acme", "admin@acme.example", next_url="/home/user/")
    assert urlsplit(result.final.url).path == "/home/user/"


def test_tokens_never_reach_the_browser_or_the_logs(app, caplog):
    caplog.set_level(logging.DEBUG)
    result = app.sign_in("acme", "admin@acme.example")
    record = TokenRecord.objects.get()
    secrets = [record.access_token, record.refresh_token]
    signature = record.access_token.rsplit(".", 1)[-1]
    seen = []
    for hop in result.hops + [result.final]:
        seen.append(hop.text)
        seen.append(str(dict(hop.headers)))
        seen.append(hop.url)
    seen.append(str([(cookie.name, cookie.value) for cookie in result.browser.cookies]))
    seen.append(caplog.text)
    blob = "\n".join(seen)
    for secret in secrets + [signature]:
        assert secret not in blob
    # and at rest they are encrypted
    assert record.access_token not in record.access_token_encrypted
    assert record.refresh_token not in record.refresh_token_encrypted


def test_welcome_message_names_the_person_not_the_internal_username(app):
    result = app.sign_in("acme", "user@acme.example")
    assert "Successfully signed in as user@acme.example (acme)." in result.final.text
    assert "mdsp-acme-" not in result.final.text
