"""The fleet overview's runs (fleet.runs, fleet.tasks) against the live emulator, in this process.

What a run stores; every failure recorded, never deleting the last good overview; 429 and outages
backing off; one run per tenant at a time; due tenants claimed once; "refresh now" rate-limited.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone, translation

from fleet import runs, survey, tasks
from fleet.models import FleetOverview
from tests.people import make_person
from tests.servers import Emulator


@pytest.fixture
def gateway(settings, clean_emulator: Emulator, monkeypatch) -> Iterator[Emulator]:
    """The live emulator's gateway, no technical token cached, and no real waiting on a 429."""
    settings.MINDSPHERE_GATEWAY_URL = clean_emulator.gateway
    monkeypatch.setattr(survey, "sleep", lambda seconds: None)
    cache.clear()
    yield clean_emulator
    cache.clear()


def overview(tenant: str) -> FleetOverview:
    return FleetOverview.objects.get(tenant=tenant)


def tokens_issued(emulator: Emulator, tenant: str) -> int:
    return emulator.stats()["tenants"].get(tenant, {}).get("technical_tokens", 0)


@pytest.mark.django_db
def test_a_run_stores_the_count_and_the_assets_not_reporting(gateway):
    assert runs.refresh("acme") == runs.DONE
    stored = overview("acme")
    assert stored.asset_count == 28 and stored.not_reporting_count == 3
    assert [row["name"] for row in stored.last_seen_times] == ["Compressor 24", "Motor 20", "Pump 13"]
    assert stored.computed_at and not stored.error_code and not stored.run_id and stored.running_until is None
    assert stored.next_run_at - stored.computed_at == timedelta(seconds=300)
    assert not stored.is_stale


@pytest.mark.django_db
def test_a_tenant_without_the_app_is_recorded_plainly(gateway):
    assert runs.refresh("hooli") == runs.FAILED
    stored = overview("hooli")
    assert (stored.error_code, stored.error_message) == (
        "not_permitted",
        "Tenant 'hooli' does not have app 'mobilestarter'.",
    )
    assert stored.computed_at is None and stored.asset_count is None and stored.failed_since
    with translation.override("en"):
        assert "the tenant may not have the app" in stored.failure
    assert stored.next_run_at - stored.error_at == timedelta(seconds=300)  # no hurry: a setting must change


@pytest.mark.django_db
def test_refused_credentials_keep_the_last_good_overview(gateway, settings):
    runs.refresh("acme")
    good = overview("acme")
    settings.MDSP_KEY_STORE_CLIENT_SECRET = "rotated-in-developer-cockpit"
    cache.clear()
    assert runs.refresh("acme") == runs.FAILED
    stored = overview("acme")
    assert stored.error_code == "credentials_refused" and stored.error_message == "Bad credentials."
    assert (stored.asset_count, stored.not_reporting, stored.computed_at) == (
        good.asset_count,
        good.not_reporting,
        good.computed_at,
    )
    assert "rotated-in-developer-cockpit" not in stored.error_message


@pytest.mark.django_db
def test_a_short_rate_limit_is_waited_out_within_the_run(gateway):
    gateway.fault(mode="429", target="gateway", calls=2, tenant="acme")
    assert runs.refresh("acme") == runs.DONE
    assert overview("acme").asset_count == 28


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"mode": "429", "target": "gateway"}, "rate_limited"),
        ({"mode": "503", "target": "gateway"}, "unreachable"),
        ({"mode": "503", "target": "technical"}, "unreachable"),
        ({"mode": "429", "target": "technical"}, "rate_limited"),
    ],
    ids=["gateway-429", "gateway-503", "token-503", "token-429"],
)
def test_outages_back_off_and_keep_the_last_good_overview(gateway, fault, code):
    runs.refresh("acme")
    good_at = overview("acme").computed_at
    cache.clear()  # the token service must be asked again, for its faults to count
    gateway.fault(**fault, calls=100, tenant="acme")
    backoffs = []
    for _ in range(3):
        assert runs.refresh("acme") == runs.FAILED
        stored = overview("acme")
        backoffs.append(round((stored.next_run_at - stored.error_at).total_seconds()))
    assert stored.error_code == code and stored.failures == 3
    assert stored.asset_count == 28 and stored.computed_at == good_at
    assert backoffs == [30, 60, 120]  # doubling, at most the interval; at least the server's Retry-After
    gateway.clear_faults()
    assert runs.refresh("acme") == runs.DONE
    assert overview("acme").failures == 0 and not overview("acme").error_code


@pytest.mark.django_db
def test_the_backoff_is_at_most_one_interval(gateway, settings):
    settings.ASSETS_OVERVIEW_INTERVAL = 45
    gateway.fault(mode="503", target="technical", calls=100, tenant="globex")
    runs.refresh("globex")
    runs.refresh("globex")
    stored = overview("globex")
    assert stored.next_run_at - stored.error_at == timedelta(seconds=45)


def test_one_run_per_tenant_at_a_time(gateway, transactional_db, django_db_serialized_rollback):
    # Threads need committed rows; serialized rollback restores the roles afterwards (as tests/conftest.py's app).
    gateway.fault(mode="hang", target="gateway", hang_seconds=0.5, calls=3, tenant="acme")  # a slow run
    before = tokens_issued(gateway, "acme")
    start = threading.Barrier(4)

    def run(_: int) -> str:
        start.wait(timeout=10)
        return runs.refresh("acme")

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(run, range(4)))
    assert sorted(outcomes) == [runs.BUSY] * 3 + [runs.DONE]
    assert tokens_issued(gateway, "acme") == before + 1
    assert overview("acme").asset_count == 28


@pytest.mark.django_db
def test_a_lease_left_by_a_dead_worker_runs_out(gateway):
    FleetOverview.objects.create(tenant="globex", running_until=timezone.now() + timedelta(seconds=5), run_id="dead")
    assert runs.refresh("globex") == runs.BUSY
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=True):
        assert runs.refresh("globex") == runs.DONE


@pytest.mark.django_db
def test_a_run_that_lost_its_lease_stores_nothing(gateway, monkeypatch):
    def taken_over(client, cutoff, *, progress):
        FleetOverview.objects.filter(tenant="acme").update(run_id="another-run")
        with time_machine.travel(timezone.now() + runs.LEASE, tick=True):
            progress()
        raise AssertionError("progress() should have stopped the run")

    monkeypatch.setattr(runs, "survey", taken_over)
    assert runs.refresh("acme") == runs.BUSY
    assert overview("acme").computed_at is None and overview("acme").run_id == "another-run"


@pytest.mark.django_db
def test_an_unexpected_error_is_recorded_not_raised(gateway, monkeypatch, caplog):
    def broken(client, cutoff, *, progress):
        raise KeyError("assetId")

    monkeypatch.setattr(runs, "survey", broken)
    assert runs.refresh("acme") == runs.FAILED
    assert overview("acme").error_code == "unexpected"
    assert "Fleet overview of acme: unexpected failure" in caplog.text


# --- which tenants, and when ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_tenants_people_signed_in_from_are_due_once_per_interval():
    make_person("acme", "user")
    make_person("acme", "admin")
    make_person("globex", "norole")
    now = timezone.now()
    assert runs.claim_due_tenants(now) == ["acme", "globex"]
    assert runs.claim_due_tenants(now) == []  # a second beat, or the next tick: already claimed
    assert runs.claim_due_tenants(now + timedelta(seconds=299)) == []
    assert runs.claim_due_tenants(now + timedelta(seconds=300)) == ["acme", "globex"]


@pytest.mark.django_db
def test_a_failed_tenant_is_due_after_its_backoff():
    make_person("acme", "user")
    now = timezone.now()
    FleetOverview.objects.create(tenant="acme", next_run_at=now + timedelta(seconds=30))
    assert runs.claim_due_tenants(now) == []
    assert runs.claim_due_tenants(now + timedelta(seconds=30)) == ["acme"]


@pytest.mark.django_db
def test_refresh_now_is_granted_once_a_minute():
    now = timezone.now()
    assert runs.request_refresh("acme", now) is True
    assert runs.request_refresh("acme", now + timedelta(seconds=59)) is False
    assert runs.request_refresh("acme", now + timedelta(seconds=60)) is True
    assert runs.request_refresh("globex", now) is True  # per tenant


@pytest.mark.django_db
def test_the_beat_task_runs_each_due_tenant_and_one_failure_stops_no_other(gateway, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from project.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    try:
        for tenant in ("hooli", "acme", "globex"):
            make_person(tenant, "norole")
        assert tasks.refresh_due_overviews() == 3
    finally:
        celery_app.conf.task_always_eager = False
    assert overview("hooli").error_code == "not_permitted"
    assert (overview("acme").asset_count, overview("globex").asset_count) == (28, 7)
    assert overview("globex").not_reporting_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize("stopping", [False, True], ids=["running", "worker-stopping"])
def test_mindsphere_gone_while_the_worker_stops_is_no_warning(gateway, monkeypatch, caplog, stopping):
    # Ctrl-C in `make run` stops the emulator and the worker together: a run cut short then is expected.
    monkeypatch.setattr(runs, "worker_stopping", threading.Event())
    if stopping:
        tasks.worker_shutting_down.send(sender="test", sig="SIGTERM", how="Warm", exitcode=0)
    gateway.fault(mode="503", target="technical", calls=100, tenant="acme")
    assert runs.refresh("acme") == runs.FAILED
    warned = [record for record in caplog.records if record.levelname == "WARNING"]
    assert bool(warned) is not stopping
    assert overview("acme").error_code == "unreachable"
