"""CSV exports with a real Celery worker on Redis, as in production (skipped without Redis)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import redis
import requests
from django.contrib.sessions.models import Session
from django.utils import timezone

from assets.models import Export
from assets.tasks import export_time_series
from project.celery import app as celery_app
from sso.models import TokenRecord
from sso.tasks import delete_expired_token_records
from tests import celery_worker
from tests.assets.test_export_task import csv_rows, expected_rows, make_export
from tests.celery_worker import LOCK_KEY, SCRATCH_KEY, RedisDatabase, needs_redis
from tests.conftest import session_check
from tests.tokens import set_expiries

pytestmark = needs_redis


def send(export: Export, broker_url: str) -> None:
    with celery_app.connection_for_write(broker_url) as conn:
        export_time_series.apply_async(args=[export.pk], connection=conn)


def wait_for(export: Export, condition, timeout: float, worker=None) -> Export:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if condition(export):
            return export
        time.sleep(0.2)
    log = worker.log_text() if worker else ""
    raise AssertionError(f"export stuck at {export.status} {export.progress}% {export.message}\n{log}")


@pytest.fixture
def record(app):
    app.sign_in("acme", "user@acme.example")
    return TokenRecord.objects.get()


def test_export_runs_to_100_percent_in_a_worker(start_worker, record, tmp_path, celery_redis_url):
    worker = start_worker()
    export = make_export(record, hours=40)
    send(export, celery_redis_url)
    wait_for(export, lambda e: e.status == Export.Status.DONE, 60, worker)
    assert export.progress == 100 and export.rows == 2400
    assert csv_rows(export) == expected_rows(export)


def test_killed_worker_mid_export_still_ends_with_a_complete_file(
    start_worker, record, clean_emulator, celery_redis_url
):
    # Slow pages (0.5 s each, 8 of them) so the worker can be killed half-way.
    clean_emulator.fault(mode="hang", target="gateway", hang_seconds=0.5, calls=100, tenant="acme")
    first = start_worker()
    export = make_export(record, hours=24 * 11)  # 15840 rows: 8 pages
    send(export, celery_redis_url)
    wait_for(export, lambda e: 0 < e.progress < 100, 60, first)
    first.kill()
    assert Export.objects.get(pk=export.pk).status == Export.Status.RUNNING
    second = start_worker()  # redelivers the unacknowledged task after the visibility timeout
    wait_for(export, lambda e: e.status == Export.Status.DONE, 90, second)
    assert export.attempts >= 2
    assert csv_rows(export) == expected_rows(export)


def test_refresh_in_worker_and_web_at_once_is_one_refresh(start_worker, record, app, emulator, celery_redis_url):
    start_worker()
    # The export's record needs a refresh; the worker and eight web checks of the same session race for it.
    set_expiries([record], access=timezone.now())
    session_key = record.session_key
    before = emulator.stats()["tenants"]["acme"]["refreshes"]
    export = make_export(record, hours=3)

    def web_check(_):
        with requests.Session() as browser:
            browser.cookies.set("sessionid", session_key)
            return session_check(app, browser).status_code

    send(export, celery_redis_url)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(web_check, range(8)))
    wait_for(export, lambda e: e.status == Export.Status.DONE, 60)
    assert set(statuses) == {204}
    assert emulator.stats()["tenants"]["acme"]["refreshes"] == before + 1


def test_gateway_faults_make_the_worker_retry_then_succeed(start_worker, record, clean_emulator, celery_redis_url):
    worker = start_worker()
    clean_emulator.fault(mode="503", target="gateway", calls=2, tenant="acme")
    export = make_export(record, hours=3)
    send(export, celery_redis_url)
    seen_retrying = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        export.refresh_from_db()
        seen_retrying |= export.status == Export.Status.RETRYING
        if export.status == Export.Status.DONE:
            break
        time.sleep(0.1)
    assert export.status == Export.Status.DONE, worker.log_text()
    assert seen_retrying and export.attempts == 3
    assert csv_rows(export) == expected_rows(export)


def test_housekeeping_runs_in_the_worker(start_worker, app, celery_redis_url):
    start_worker()
    app.sign_in("acme", "user@acme.example")
    app.sign_in("acme", "admin@acme.example")
    expired, kept = TokenRecord.objects.order_by("pk")
    TokenRecord.objects.filter(pk=expired.pk).update(refresh_expires_at=timezone.now() - timedelta(seconds=1))
    with celery_app.connection_for_write(celery_redis_url) as conn:
        delete_expired_token_records.apply_async(connection=conn)
    deadline = time.monotonic() + 30
    while TokenRecord.objects.filter(pk=expired.pk).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(TokenRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=kept.session_key).exists()


# --- each test run's own Redis database -----------------------------------------------------------------

claims_databases = pytest.mark.skipif(
    celery_worker.REDIS_URL_OVERRIDE is not None, reason="TEST_CELERY_REDIS_URL names the database to use"
)


@pytest.fixture
def second_run():
    """A claim as a second test run on this machine would make; released after the test."""
    claims: list[RedisDatabase] = []

    def claim() -> RedisDatabase:
        claims.append(RedisDatabase.claim())
        return claims[-1]

    yield claim
    for database in claims:
        database.release()


@claims_databases
def test_two_runs_hold_different_databases(celery_redis_url, second_run):
    other = second_run()
    assert other.url != celery_redis_url
    mine = redis.Redis.from_url(celery_redis_url).get(LOCK_KEY)
    assert mine and mine != other.token.encode()
    assert other.client.get(LOCK_KEY) == other.token.encode()
    assert 0 < other.client.ttl(LOCK_KEY) <= celery_worker.LOCK_SECONDS
    other.release()
    assert redis.Redis.from_url(other.url).get(LOCK_KEY) is None  # free for the next run


@claims_databases
def test_flush_empties_the_database_but_keeps_the_claim(second_run):
    database = second_run()
    database.client.set("celery", "a queued task")
    database.flush()
    assert set(database.client.keys()) == {LOCK_KEY.encode(), SCRATCH_KEY.encode()}
    assert database.client.get(LOCK_KEY) == database.token.encode()
    assert database.client.ttl(LOCK_KEY) > 0


@claims_databases
def test_a_lost_claim_is_never_flushed(second_run):
    database = second_run()
    database.client.set(LOCK_KEY, "another run")  # as if ours had expired and another run claimed it
    database.client.set("celery", "their task")
    try:
        with pytest.raises(RuntimeError, match="lost its claim"):
            database.flush()
        database.release()
        assert database.client.get("celery") == b"their task"
        assert database.client.get(LOCK_KEY) == b"another run"
    finally:
        redis.Redis.from_url(database.url).delete("celery", LOCK_KEY)


@claims_databases
def test_the_claim_is_kept_alive_while_the_run_lasts(second_run, monkeypatch):
    monkeypatch.setattr(celery_worker, "REFRESH_SECONDS", 0.05)
    database = second_run()
    database.client.expire(LOCK_KEY, 5)
    deadline = time.monotonic() + 30
    while database.client.ttl(LOCK_KEY) <= 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert database.client.ttl(LOCK_KEY) > 5


@claims_databases
def test_a_database_with_someone_elses_data_is_not_claimed(second_run, monkeypatch):
    first = second_run()
    index = int(first.url.rsplit("/", 1)[1])
    first.client.delete(SCRATCH_KEY)
    first.client.set("not-the-tests", "keep me")
    first.release(flush=False)
    client = redis.Redis.from_url(first.url)
    try:
        monkeypatch.setattr(celery_worker, "CANDIDATE_DBS", [index])
        with pytest.raises(RuntimeError, match="holds data that is not the tests'"):
            RedisDatabase.claim()
        assert client.get("not-the-tests") == b"keep me"
        assert client.get(LOCK_KEY) is None
    finally:
        client.delete("not-the-tests")
        client.set(SCRATCH_KEY, "1")
