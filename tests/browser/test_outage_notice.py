"""What a person sees when the app's own database is down: the include's "briefly unavailable" notice.

On the production stack (loadtest/stack.py: two gunicorn instances behind HAProxy, PostgreSQL and
Redis of its own): the page is open, the access token falls due, PostgreSQL stops. The check
cannot refresh (the token record is in PostgreSQL) and answers the app's 503; the include says the
app is briefly unavailable (not that MindSphere is down), keeps the person on the page, and once
PostgreSQL is back its retry refreshes and the notice goes.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest
from playwright.sync_api import Page, expect

from loadtest.stack import Stack, StackOptions, postgres_bin
from tests.app_client import AppClient
from tests.browser.conftest import screenshot, sign_in

LEEWAY, DUE_AFTER = 120, 8  # the access token is due 8 s after sign-in
pytestmark = [
    pytest.mark.slow,
    pytest.mark.live,
    pytest.mark.postgres,  # the stack brings its own PostgreSQL; run once in CI, in the PostgreSQL pass
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("haproxy", "redis-server")) or postgres_bin() is None,
        reason="needs haproxy, redis-server and PostgreSQL's initdb/pg_ctl",
    ),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="CI's PostgreSQL pass"),
]


@pytest.fixture
def stack(tmp_path):
    options = StackOptions(web_concurrency=1, worker=False, leeway=LEEWAY, access_seconds=LEEWAY + DUE_AFTER)
    with Stack(tmp_path, options) as running:
        yield running


def test_the_database_down_shows_the_app_s_notice_not_mindsphere_s(page: Page, stack):
    page.clock.install()
    sign_in(page, AppClient(stack.url), "acme", "user@acme.example")
    page.wait_for_load_state("networkidle")
    signed_in_at = page.url
    time.sleep(DUE_AFTER + 1)  # the server's clock: the access token is now due

    stack.postgres.stop()
    try:
        with page.expect_response("**/sso/session/") as answer:
            page.clock.run_for(61_000)  # the include's periodic check
        assert answer.value.status == 503
        notice = page.get_by_text("The app is briefly unavailable, retrying")
        expect(notice).to_be_visible()
        expect(page.get_by_text("MindSphere is not reachable")).to_be_hidden()
        screenshot(page, "app-unavailable-notice-360")
    finally:
        stack.postgres.start()

    with page.expect_response("**/sso/session/") as answer:
        page.clock.run_for(6_000)  # Retry-After: 5 s
    assert answer.value.status == 204  # refreshed now that the token record can be read
    expect(notice).to_be_hidden()
    assert page.url == signed_in_at  # still on the page, still signed in
