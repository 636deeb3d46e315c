"""Sign-in against any conformant server, over real HTTP: what the app accepts beyond MindSphere's habits.

Each case starts an emulator switched to behave another allowed way (docs/emulator.md, "Settings")
and signs in through the live app, as docs/sign-in.md "What the app accepts from the server" lists.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.contrib.sessions.models import Session

from sso import texts
from sso.models import MindSphereIdentity, TokenRecord
from tests.conftest import session_check
from tests.servers import free_port
from tests.tokens import expire_access_token

# Every character RFC 6749's form-urlencoding changes, a space among them; "%41" would decode to "A".
ODD_SECRET = "s3cr+t/with=:%41 and space"


def refreshes(emulator, tenant: str = "acme") -> int:
    return emulator.stats()["tenants"].get(tenant, {}).get("refreshes", 0)


def callback_url(app, tenant: str, email: str):
    return app.until_callback(tenant, email)


def land(app, browser, url: str):
    return app.land(browser, url)


# --- client authentication (RFC 6749, section 2.3.1) -------------------------------------------------


def test_a_secret_with_reserved_characters_signs_in_and_refreshes(short_lived, settings):
    settings.MINDSPHERE_CLIENT_SECRET = ODD_SECRET
    app, server = short_lived(MINDSPHERE_CLIENT_SECRET=ODD_SECRET)
    result = app.sign_in("acme", "user@acme.example")
    assert urlsplit(result.final.url).path == "/home/user/", result.final.text[:300]
    expire_access_token()
    assert session_check(app, result.browser).status_code == 204
    assert refreshes(server) == 1


# --- the scope claim ---------------------------------------------------------------------------------


def test_scope_as_a_string_gives_the_same_roles(short_lived):
    app, server = short_lived(EMULATOR_SCOPE_AS_STRING=True)
    result = app.sign_in("acme", "admin@acme.example")
    assert urlsplit(result.final.url).path == "/home/admin/", result.final.text[:300]
    record = TokenRecord.objects.get()
    assert isinstance(jwt.decode(record.access_token, options={"verify_signature": False})["scope"], str)
    assert "mobilestarter.admin" in record.scopes and isinstance(record.scopes, list)
    assert MindSphereIdentity.objects.get().scopes == record.scopes
    server.set_app_scopes("acme", "admin@acme.example", ["user"])
    expire_access_token()
    assert session_check(app, result.browser).status_code == 204
    assert TokenRecord.objects.get().scopes == ["mobilestarter.user", "mdsp:core:TenantAdmin"]
    home = result.browser.get(app.url("/"), allow_redirects=False, timeout=10)
    assert home.headers["Location"] == "/home/user/"


# --- requested scopes --------------------------------------------------------------------------------


def test_configured_scopes_are_asked_for_in_order_once_each(app, settings):
    settings.MINDSPHERE_SCOPES = "openid  mdsp:core:assetmanagement.asset openid"
    started = app.start_sign_in(app.new_browser(), "acme")
    assert parse_qs(urlsplit(started.headers["Location"]).query)["scope"] == ["openid mdsp:core:assetmanagement.asset"]


def test_no_scope_is_asked_for_by_default(app):
    started = app.start_sign_in(app.new_browser(), "acme")
    assert "scope" not in parse_qs(urlsplit(started.headers["Location"]).query)


# --- how long the refresh token lives ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("emulator_env", "expected_hours"),
    [
        ({}, 1),  # refresh_token_expires_in in the token response
        ({"EMULATOR_SEND_REFRESH_EXPIRES_IN": False}, 1),  # the refresh token's own exp (a JWT)
        ({"EMULATOR_SEND_REFRESH_EXPIRES_IN": False, "EMULATOR_OPAQUE_REFRESH_TOKENS": True}, 2),  # the setting
    ],
    ids=["expires_in", "jwt_exp", "setting"],
)
def test_refresh_lifetime_comes_from_the_server_else_the_setting(short_lived, settings, emulator_env, expected_hours):
    settings.MINDSPHERE_REFRESH_TOKEN_SECONDS = 2 * 3600
    app, _server = short_lived(EMULATOR_REFRESH_TOKEN_SECONDS=3600, **emulator_env)
    app.sign_in("acme", "user@acme.example")
    record = TokenRecord.objects.get()
    expected = record.created + timedelta(hours=expected_hours)
    assert abs((record.refresh_expires_at - expected).total_seconds()) < 10
    session = Session.objects.get(session_key=record.session_key)
    assert abs((session.expire_date - record.refresh_expires_at).total_seconds()) < 2


# --- MindSphere unreachable during the code exchange ----------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "text"),
    [
        ({"mode": "503"}, texts.SIGNIN_UNAVAILABLE),
        ({"mode": "429"}, texts.SIGNIN_UNAVAILABLE),
        ({"mode": "hang", "hang_seconds": 3}, texts.SIGNIN_UNAVAILABLE),
        ({"mode": "invalid_grant"}, texts.SIGNIN_REFUSED),
    ],
    ids=["503", "429", "timeout", "refused"],
)
def test_code_exchange_failure_says_whether_to_try_again(app, clean_emulator, settings, fault, text):
    settings.MINDSPHERE_HTTP_TIMEOUT = 1
    browser, callback = callback_url(app, "acme", "user@acme.example")
    clean_emulator.fault(calls=1, tenant="acme", **fault)
    landing = land(app, browser, callback)
    assert urlsplit(landing.url).path == "/"
    assert str(text) in landing.text.replace("&#x27;", "'")
    if text == texts.SIGNIN_UNAVAILABLE:
        assert "MindSphere could not be reached, try again in a moment" in landing.text
    assert TokenRecord.objects.count() == 0


def test_code_exchange_without_a_connection_says_try_again(app, settings):
    browser, callback = callback_url(app, "acme", "user@acme.example")
    settings.MINDSPHERE_AUTH_URL = f"http://127.0.0.1:{free_port()}/{{tenant}}"  # nothing listens there
    landing = land(app, browser, callback)
    assert urlsplit(landing.url).path == "/"
    assert "MindSphere could not be reached, try again in a moment" in landing.text
    assert TokenRecord.objects.count() == 0
