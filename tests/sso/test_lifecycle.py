"""The token lifecycle over real HTTP: valid, refresh, expired; outages; concurrency; sign-out."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sso import crypto
from sso.app_settings import app_settings
from sso.models import TokenRecord
from tests.conftest import session_check
from tests.tokens import expire_access_token, expire_refresh_token, set_expiries


def refreshes(emulator, tenant: str = "acme") -> int:
    return emulator.stats()["tenants"].get(tenant, {}).get("refreshes", 0)


# --- valid ------------------------------------------------------------------------------------


def test_valid_check_makes_no_call_and_no_write(app, emulator, client):
    result = app.sign_in("acme", "user@acme.example")
    before = emulator.stats()
    client.cookies["sessionid"] = result.browser.cookies["sessionid"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sso/session/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["Cache-Control"] == "no-store"  # no browser or proxy may answer a later check
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert emulator.stats() == before


# --- refresh ----------------------------------------------------------------------------------


def test_expired_access_token_is_refreshed(short_lived, settings):
    settings.MINDSPHERE_TOKEN_LEEWAY = 1
    app, server = short_lived(EMULATOR_ACCESS_TOKEN_SECONDS=3)
    result = app.sign_in("acme", "user@acme.example")
    first = TokenRecord.objects.get()
    assert session_check(app, result.browser).status_code == 204
    assert refreshes(server) == 0
    time.sleep(2.2)
    assert session_check(app, result.browser).status_code == 204
    assert refreshes(server) == 1
    record = TokenRecord.objects.get()
    assert record.access_token != first.access_token
    assert record.refresh_token != first.refresh_token  # rotated and stored
    assert record.refresh_expires_at == first.refresh_expires_at  # a refresh never extends the session
    assert record.access_expires_at > first.access_expires_at


def test_time_machine_drives_the_three_outcomes(app, emulator):
    result = app.sign_in("acme", "user@acme.example")
    start = refreshes(emulator)
    assert session_check(app, result.browser).status_code == 204
    assert refreshes(emulator) == start
    with time_machine.travel(timezone.now() + timedelta(minutes=29), tick=True):
        assert session_check(app, result.browser).status_code == 204  # within the leeway: refreshed
    assert refreshes(emulator) == start + 1
    with time_machine.travel(timezone.now() + timedelta(hours=13), tick=True):
        response = session_check(app, result.browser)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/"
    assert refreshes(emulator) == start + 1  # expired: no call to MindSphere


def test_refresh_expiry_signs_out_with_a_message(app, emulator):
    result = app.sign_in("acme", "user@acme.example")
    expire_refresh_token()
    response = session_check(app, result.browser)
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/"
    assert TokenRecord.objects.count() == 0
    page = result.browser.get(app.url("/"), timeout=10)
    assert 'name="tenant"' in page.text
    assert "Your MindSphere session has ended" in page.text


def test_a_session_whose_record_is_gone_signs_out_properly(app):
    result = app.sign_in("acme", "user@acme.example")
    session_key = TokenRecord.objects.get().session_key
    TokenRecord.objects.all().delete()  # e.g. housekeeping, or "sign out everywhere" elsewhere
    response = session_check(app, result.browser)
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/"
    assert not Session.objects.filter(session_key=session_key).exists()
    page = result.browser.get(app.url("/"), timeout=10)
    assert "Your MindSphere session has ended" in page.text and 'name="tenant"' in page.text
    assert result.browser.get(app.url("/home/user/"), allow_redirects=False, timeout=10).status_code == 302


def test_short_refresh_lifetime_at_the_emulator_signs_out(short_lived, settings):
    settings.MINDSPHERE_TOKEN_LEEWAY = 1
    app, server = short_lived(EMULATOR_ACCESS_TOKEN_SECONDS=2, EMULATOR_REFRESH_TOKEN_SECONDS=4)
    result = app.sign_in("acme", "user@acme.example")
    record = TokenRecord.objects.get()
    assert 3 <= (record.refresh_expires_at - record.created).total_seconds() <= 5  # the provider's lifetime
    # Keep the app's own view of the session open longer, so the emulator's refusal is what ends it.
    later = timezone.now() + timedelta(minutes=5)
    TokenRecord.objects.update(refresh_expires_at=later)
    Session.objects.update(expire_date=later)
    session_cookie = result.browser.cookies["sessionid"]
    result.browser.cookies.clear()
    result.browser.cookies.set("sessionid", session_cookie)
    time.sleep(4.2)
    response = session_check(app, result.browser)
    assert response.status_code == 401
    assert server.stats()["tenants"]["acme"]["refresh_failures"] == 1
    assert TokenRecord.objects.count() == 0


def test_twenty_concurrent_checks_make_one_refresh(short_lived, settings):
    settings.MINDSPHERE_TOKEN_LEEWAY = 1
    app, server = short_lived(EMULATOR_ACCESS_TOKEN_SECONDS=60)
    result = app.sign_in("acme", "user@acme.example")
    expire_access_token(TokenRecord.objects.get())
    cookies = result.browser.cookies.get_dict()

    def check(_):
        with requests.Session() as browser:
            browser.cookies.update(cookies)
            return session_check(app, browser).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(check, range(20)))
    assert statuses == [204] * 20
    assert refreshes(server) == 1
    assert server.stats()["tenants"]["acme"]["refresh_failures"] == 0
    assert session_check(app, result.browser).status_code == 204


# --- outages and refusals ------------------------------------------------------------------------


def test_provider_down_keeps_the_person_signed_in(app, clean_emulator):
    result = app.sign_in("acme", "user@acme.example")
    expire_access_token(TokenRecord.objects.get())
    clean_emulator.fault(mode="503", calls=50, tenant="acme")
    response = session_check(app, result.browser)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert TokenRecord.objects.count() == 1
    home = result.browser.get(app.url("/home/user/"), allow_redirects=False, timeout=10)
    assert home.status_code == 200  # still signed in
    clean_emulator.clear_faults()
    assert session_check(app, result.browser).status_code == 204


def test_provider_down_past_refresh_expiry_signs_out(app, clean_emulator):
    result = app.sign_in("acme", "user@acme.example")
    clean_emulator.fault(mode="503", calls=50, tenant="acme")
    set_expiries(access=timezone.now() - timedelta(minutes=1), refresh=timezone.now() - timedelta(seconds=1))
    assert session_check(app, result.browser).status_code == 401


def test_provider_hanging_past_the_timeout_is_an_outage(app, clean_emulator, settings):
    settings.MINDSPHERE_HTTP_TIMEOUT = 1
    result = app.sign_in("acme", "user@acme.example")
    expire_access_token(TokenRecord.objects.get())
    clean_emulator.fault(mode="hang", hang_seconds=3, calls=1, tenant="acme")
    response = session_check(app, result.browser)
    assert response.status_code == 503
    assert TokenRecord.objects.count() == 1


def test_unreachable_provider_is_an_outage(app, settings):
    result = app.sign_in("acme", "user@acme.example")
    expire_access_token(TokenRecord.objects.get())
    settings.MINDSPHERE_AUTH_URL = "http://127.0.0.1:9/{tenant}"  # nothing listens on the discard port
    response = session_check(app, result.browser, htmx=False)
    assert response.status_code == 503
    assert TokenRecord.objects.count() == 1


def test_invalid_grant_signs_out(app, clean_emulator):
    result = app.sign_in("acme", "user@acme.example")
    expire_access_token(TokenRecord.objects.get())
    clean_emulator.fault(mode="invalid_grant", calls=1, tenant="acme")
    response = session_check(app, result.browser)
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/"
    assert TokenRecord.objects.count() == 0
    assert result.browser.get(app.url("/home/user/"), allow_redirects=False, timeout=10).status_code == 302


def test_rotated_secret_key_signs_out_without_crashing(app, settings):
    result = app.sign_in("acme", "user@acme.example")
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789"
    response = session_check(app, result.browser)
    assert response.status_code == 401


def test_undecryptable_record_signs_out_at_refresh(app, settings):
    result = app.sign_in("acme", "user@acme.example")
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "some-other-key-0123456789-0123456789"
    garbage = crypto.encrypt("refresh-token-under-another-key")
    settings.SECRET_KEY = old
    TokenRecord.objects.update(refresh_token_encrypted=garbage)
    set_expiries(access=timezone.now())
    response = session_check(app, result.browser)
    assert response.status_code == 401
    assert TokenRecord.objects.count() == 0


# --- roles follow the scopes ----------------------------------------------------------------------


def test_roles_are_resynced_at_every_refresh(short_lived, settings):
    settings.MINDSPHERE_TOKEN_LEEWAY = 1
    app, server = short_lived()
    result = app.sign_in("acme", "user@acme.example")
    home = result.browser.get(app.url("/"), allow_redirects=False, timeout=10)
    assert home.headers["Location"] == "/home/user/"

    server.set_app_scopes("acme", "user@acme.example", ["admin", "user"])
    expire_access_token(TokenRecord.objects.get())
    assert session_check(app, result.browser).status_code == 204
    assert result.browser.get(app.url("/"), allow_redirects=False, timeout=10).headers["Location"] == "/home/admin/"

    server.set_app_scopes("acme", "user@acme.example", [])
    expire_access_token(TokenRecord.objects.get())
    assert session_check(app, result.browser).status_code == 204
    page = result.browser.get(app.url("/"), allow_redirects=False, timeout=10)
    assert page.status_code == 403 and "No role assigned" in page.text
    assert result.browser.get(app.url("/home/user/"), allow_redirects=False, timeout=10).status_code == 403


# --- sign-out ---------------------------------------------------------------------------------------


def test_logout_goes_through_mindsphere_back_to_the_login_page(app, emulator):
    result = app.sign_in("acme", "user@acme.example")
    response = app.post(result.browser, "/sso/logout/")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == emulator.url and target.path == "/acme/logout.do"
    # What Cloud Foundry UAA takes (`redirect`, `client_id`), and `redirect_uri` for OpenID Connect servers.
    query = parse_qs(target.query)
    assert query["redirect"] == [app.url("/")] and query["redirect_uri"] == [app.url("/")]
    assert query["client_id"] == [app_settings.MINDSPHERE_CLIENT_ID]
    landing = app.follow(result.browser, response, [])
    assert urlsplit(landing.url).path == "/"
    assert "You are signed out." in landing.text
    assert TokenRecord.objects.count() == 0
    # MindSphere's own session ended too: signing in again shows its sign-in form.
    started = app.start_sign_in(result.browser, "acme")
    assert 'name="password"' in result.browser.get(started.headers["Location"], timeout=10).text


def test_logout_needs_post_and_csrf(app):
    result = app.sign_in("acme", "user@acme.example")
    assert result.browser.get(app.url("/sso/logout/"), allow_redirects=False, timeout=10).status_code == 405
    forged = result.browser.post(app.url("/sso/logout/"), allow_redirects=False, timeout=10)
    assert forged.status_code == 403
    assert TokenRecord.objects.count() == 1


def test_phone_and_laptop_sessions_are_independent(app):
    phone = app.sign_in("acme", "user@acme.example").browser
    laptop = app.sign_in("acme", "user@acme.example").browser
    assert TokenRecord.objects.count() == 2
    app.post(phone, "/sso/logout/")
    assert session_check(app, laptop).status_code == 204
    assert TokenRecord.objects.count() == 1


def test_sign_out_everywhere_ends_every_session(app):
    phone = app.sign_in("acme", "user@acme.example").browser
    laptop = app.sign_in("acme", "user@acme.example").browser
    other = app.sign_in("acme", "admin@acme.example").browser
    response = app.post(phone, "/sso/logout/everywhere/")
    assert response.status_code == 302
    assert session_check(app, laptop).status_code == 401
    assert session_check(app, other).status_code == 204  # another person is untouched
    assert TokenRecord.objects.count() == 1


def test_the_other_device_is_told_it_was_signed_out_everywhere(app):
    phone = app.sign_in("acme", "user@acme.example").browser
    laptop = app.sign_in("acme", "user@acme.example").browser
    tablet = app.sign_in("acme", "user@acme.example").browser
    app.post(phone, "/sso/logout/everywhere/")
    # The laptop's open page checks its session: 401, then the Login page says why.
    assert session_check(app, laptop).status_code == 401
    page = laptop.get(app.url("/"), timeout=10)
    assert "You were signed out on all your devices" in page.text and 'name="tenant"' in page.text
    assert "Your MindSphere session has ended" not in page.text
    # The tablet's next step is a page, not a check: the Login page, with the same words, once.
    landed = tablet.get(app.url("/home/user/"), timeout=10)
    assert urlsplit(landed.url).path == "/" and "You were signed out on all your devices" in landed.text
    assert "signed out on all your devices" not in tablet.get(app.url("/"), timeout=10).text
    # The device that asked is told in its own words, and no ended session signs anyone in.
    assert "You are signed out on all your devices" in phone.get(app.url("/"), timeout=10).text
    assert laptop.get(app.url("/home/user/"), allow_redirects=False, timeout=10).status_code == 302


def test_a_session_that_ran_out_is_not_told_sign_out_everywhere(app):
    # Housekeeping (or an expired refresh token) deletes the record: the usual words, not "all your devices".
    laptop = app.sign_in("acme", "user@acme.example").browser
    TokenRecord.objects.all().delete()
    assert session_check(app, laptop).status_code == 401
    page = laptop.get(app.url("/"), timeout=10)
    assert "Your MindSphere session has ended" in page.text
    assert "all your devices" not in page.text


# --- views that call MindSphere ------------------------------------------------------------------------


@pytest.fixture
def api_app(app, settings):
    settings.ROOT_URLCONF = "tests.sso.urls"
    return app


def test_decorated_view_gets_a_client_bound_to_the_tenant(api_app):
    acme = api_app.sign_in("acme", "user@acme.example").browser
    globex = api_app.sign_in("globex", "admin@globex.example").browser
    assert acme.get(api_app.url("/test/asset-total/"), timeout=10).json() == {"tenant": "acme", "total": 28}
    assert globex.get(api_app.url("/test/asset-total/"), timeout=10).json() == {"tenant": "globex", "total": 7}
    names = acme.get(api_app.url("/test/asset-names/"), timeout=10).json()["names"]
    assert len(names) == 28 and names == sorted(names)


def test_anonymous_request_goes_to_login_with_next(api_app):
    response = requests.get(api_app.url("/test/asset-total/"), allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert response.headers["Location"] == "/?next=%2Ftest%2Fasset-total%2F"


@pytest.mark.parametrize(
    ("headers", "status", "check"),
    [
        ({}, 302, lambda r: r.headers["Location"] == "/?next=%2Ftest%2Fasset-total%2F"),
        ({"HX-Request": "true"}, 200, lambda r: r.headers["HX-Redirect"] == "/"),
        ({"Accept": "application/json"}, 401, lambda r: r.json()["login_url"] == "/"),
    ],
    ids=["browser", "htmx", "json"],
)
def test_expired_session_answer_depends_on_the_request(api_app, headers, status, check):
    browser = api_app.sign_in("acme", "user@acme.example").browser
    TokenRecord.objects.update(refresh_expires_at=timezone.now() - timedelta(seconds=1))
    response = browser.get(api_app.url("/test/asset-total/"), headers=headers, allow_redirects=False, timeout=10)
    assert response.status_code == status
    assert check(response)
    assert TokenRecord.objects.count() == 0


def test_gateway_401_forces_one_refresh_and_a_retry(api_app, emulator):
    browser = api_app.sign_in("acme", "user@acme.example").browser
    record = TokenRecord.objects.get()
    record.access_token = "not-a-token-the-gateway-accepts"
    record.save()
    before = refreshes(emulator)
    response = browser.get(api_app.url("/test/asset-total/"), timeout=10)
    assert response.json()["total"] == 28
    assert refreshes(emulator) == before + 1


def test_outage_during_an_api_view_is_a_503(api_app, clean_emulator):
    browser = api_app.sign_in("acme", "user@acme.example").browser
    expire_access_token(TokenRecord.objects.get())
    clean_emulator.fault(mode="503", calls=5, tenant="acme")
    response = browser.get(api_app.url("/test/asset-total/"), allow_redirects=False, timeout=10)
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert "not reachable" in response.text


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.cached_db",
    ],
)
def test_an_ended_session_keeps_only_why_under_its_key(engine, settings, db):
    # make serve keeps sessions in Redis (cache), tests in the database: the marker works in each.
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY

    from sso import session as sso_session

    settings.SESSION_ENGINE = engine
    store_class = import_module(engine).SessionStore
    signed_in = store_class()
    signed_in[SESSION_KEY] = "1"
    signed_in.create()
    key = signed_in.session_key
    sso_session.end_sessions([key])
    sso_session.mark_ended_everywhere([key])
    marked = store_class(session_key=key)
    assert marked.session_key == key and dict(marked.items()) == {sso_session.SESSION_ENDED_KEY: "everywhere"}
    in_use = store_class(session_key=key)
    in_use["note"] = "in use"
    in_use.save()
    sso_session.mark_ended_everywhere([key])  # a key in use again is left as it is
    assert store_class(session_key=key).get("note") == "in use"
