"""Faults of the parts around the app, with real processes: nobody is signed out by any of them.

Redis restarted with its data lost, or down: sessions are cached_db (project/settings.py), so the
database still has them. PostgreSQL restarted: requests during the outage get the app's 503, then
the app recovers by itself. An app instance killed and restarted: the other one serves everyone.
The emulator (MindSphere) down or slow: valid checks stay 204, refreshes answer 503 and succeed
once it is back. Each starts its own Redis / PostgreSQL (loadtest/stack.py), never the machine's.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator

import pytest
import redis
import requests

from loadtest.stack import Processes, RedisServer, Stack, StackOptions, postgres_bin
from project.environment import redis_cache
from sso.models import TokenRecord
from tests.app_client import AppClient
from tests.conftest import point_app_at, session_check
from tests.servers import _start_on, free_port
from tests.tokens import expire_access_token

HTMX = {"HX-Request": "true"}
needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
pytestmark = [pytest.mark.slow, pytest.mark.live]


def signed_in(browser: requests.Session, app: AppClient) -> bool:
    """What the person notices: their Account page, not the Login page."""
    page = browser.get(app.url("/account/"), allow_redirects=False, timeout=30)
    return page.status_code == 200 and "Sign out" in page.text


# --- Redis: sessions survive it (in-process live server, a redis-server of the test's own) ---------


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    processes = Processes(tmp_path)
    server = RedisServer(processes)
    server.start()
    yield server
    processes.stop()


@pytest.fixture
def redis_sessions(settings, redis_server) -> redis.Redis:
    """The live app with production's cache and sessions (REDIS_URL set) on the test's own Redis."""
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.CACHES = {**settings.CACHES, "default": redis_cache(redis_server.url, 1.0)}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


@needs_redis_server
def test_redis_restarted_with_its_data_lost_signs_nobody_out(app, redis_server, redis_sessions):
    people = [app.sign_in(tenant, email).browser for tenant, email in (("acme", "user@acme.example"),) * 2]
    people.append(app.sign_in("globex", "admin@globex.example").browser)
    assert all(session_check(app, browser).status_code == 204 for browser in people)
    assert redis_sessions.dbsize() > 0  # the sessions are in Redis

    redis_server.restart()
    assert redis_sessions.dbsize() == 0  # everything Redis had is gone

    assert [session_check(app, browser).status_code for browser in people] == [204, 204, 204]
    assert all(signed_in(browser, app) for browser in people)
    # That they are back in Redis after one read is checked on the real stack (gunicorn) below.


@needs_redis_server
def test_redis_down_the_app_goes_on_from_the_database(app, emulator, redis_server, redis_sessions):
    browser = app.sign_in("acme", "admin@acme.example").browser
    redis_server.stop()
    assert session_check(app, browser).status_code == 204
    assert signed_in(browser, app)

    # A refresh needs the tenant's signing keys, cached in Redis: fetched instead (sso/keys.py).
    before = emulator.stats()["tenants"]["acme"]["refreshes"]
    expire_access_token()
    assert session_check(app, browser).status_code == 204
    assert emulator.stats()["tenants"]["acme"]["refreshes"] == before + 1
    redis_server.start()
    assert session_check(app, browser).status_code == 204


# --- MindSphere down or slow (in-process live server, a private emulator) --------------------------


def test_mindsphere_down_checks_stay_204_refreshes_fail_without_sign_out_and_recover(short_lived, settings):
    app, emulator = short_lived()
    browser = app.sign_in("acme", "user@acme.example").browser
    emulator.stop()  # MindSphere gone: connections refused

    assert session_check(app, browser).status_code == 204  # a valid token needs no MindSphere
    expire_access_token()
    response = session_check(app, browser)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json()["error"] == "unavailable"  # the include's "MindSphere is not reachable"
    assert TokenRecord.objects.count() == 1 and signed_in(browser, app)

    # MindSphere back (the same tenants, keys and refresh tokens): the next check refreshes.
    back = _start_on(free_port(), emulator.database, emulator.log_path.with_name("back.log"), None)
    try:
        point_app_at(settings, back)
        assert session_check(app, browser).status_code == 204
        assert back.stats()["tenants"]["acme"]["refreshes"] == 1
    finally:
        back.stop()


def test_mindsphere_slow_checks_stay_204_and_a_refresh_that_times_out_signs_nobody_out(short_lived, settings):
    settings.MINDSPHERE_HTTP_TIMEOUT = 2
    # Without rotation: with it, a refresh MindSphere completes after the app gave up has already
    # replaced the refresh token the app still holds (the known limit in docs/sign-in.md).
    app, emulator = short_lived(EMULATOR_ROTATE_REFRESH_TOKENS=False)
    browser = app.sign_in("acme", "user@acme.example").browser
    emulator.fault(mode="hang", hang_seconds=4, calls=1)
    assert session_check(app, browser).status_code == 204
    expire_access_token()
    assert session_check(app, browser).status_code == 503  # the refresh timed out
    assert signed_in(browser, app)
    assert session_check(app, browser).status_code == 204  # the fault is over: refreshed
    assert signed_in(browser, app)


# --- PostgreSQL and app instances: the whole stack (two gunicorn instances behind HAProxy) ---------

# The stack brings its own PostgreSQL, but runs once in CI: in the PostgreSQL pass, as the scale-out test.
STACK_MARKS = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("haproxy", "redis-server")) or postgres_bin() is None,
        reason="needs haproxy, redis-server and PostgreSQL's initdb/pg_ctl",
    ),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="CI's PostgreSQL pass"),
]


def needs_stack(test):
    for mark in STACK_MARKS:
        test = mark(test)
    return test


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    with Stack(tmp_path_factory.mktemp("stack"), StackOptions(web_concurrency=1, worker=False)) as running:
        yield running


def wait_for(what: str, ready, seconds: float = 60) -> float:
    start = time.monotonic()
    while not ready():
        assert time.monotonic() - start < seconds, f"{what} not within {seconds} s"
        time.sleep(0.5)
    return time.monotonic() - start


@needs_stack
def test_postgresql_restarted_gives_503_then_recovers_by_itself(stack):
    app = AppClient(stack.url)
    browser = app.sign_in("acme", "admin@acme.example").browser
    assert signed_in(browser, app)

    stack.postgres.stop()
    try:
        # The valid check reads only the session, from Redis: PostgreSQL's outage does not show.
        assert session_check(app, browser).status_code == 204
        page = browser.get(app.url("/account/"), allow_redirects=False, timeout=30)
        assert page.status_code == 503 and page.headers["Retry-After"]
        assert "The app is briefly unavailable" in page.text and "MindSphere" not in page.text.split("<main")[1]
        fragment = browser.get(app.url("/assets/"), headers=HTMX, timeout=30)
        assert fragment.status_code == 503 and fragment.json()["error"] == "app_unavailable"
    finally:
        stack.postgres.start()

    seconds = wait_for("recovery", lambda: browser.get(app.url("/account/"), timeout=30).status_code != 503)
    assert seconds < 30
    assert signed_in(browser, app) and session_check(app, browser).status_code == 204
    assert "Internal Server Error" not in stack.processes.log("a") + stack.processes.log("b")


@needs_stack
def test_redis_restarted_on_the_stack_its_sessions_come_back_from_postgresql(stack):
    app = AppClient(stack.url)
    browser = app.sign_in("globex", "admin@globex.example").browser
    stack.redis.restart()
    client = redis.Redis.from_url(stack.redis.url)
    try:
        assert client.keys("*sessions*") == []
        assert session_check(app, browser).status_code == 204 and signed_in(browser, app)
        assert len(client.keys("*sessions*")) == 1  # read from PostgreSQL once, in Redis again
    finally:
        client.close()


@needs_stack
def test_an_app_instance_killed_and_restarted_signs_nobody_out(stack):
    app = AppClient(stack.url)
    people = [app.sign_in("acme", "user@acme.example").browser, app.sign_in("globex", "admin@globex.example").browser]
    stack.processes.kill("a")
    for _ in range(4):  # round robin: without HAProxy's retries half of these would go to "a"
        assert [session_check(app, browser).status_code for browser in people] == [204, 204]
    assert all(signed_in(browser, app) for browser in people)
    served_before = stack.processes.log("a").count("/sso/session/")
    stack.start_instance("a")

    def served_by_a_again() -> bool:
        assert [session_check(app, browser).status_code for browser in people] == [204, 204]
        return stack.processes.log("a").count("/sso/session/") > served_before

    wait_for("instance a back in the balancer", served_by_a_again)
    assert all(signed_in(browser, app) for browser in people)
