"""The fleet overview as in production: Celery beat and a real worker on Redis, the live emulator, real HTTP.

Beat asks for the due tenants as it starts (project/celery.py), the worker runs each tenant with
the app's own token, and the role home shows the result; a tenant admin's "refresh now" goes
through the live app to the worker. Skipped without Redis.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from fleet.models import FleetOverview
from tests.app_client import csrf_from
from tests.celery_worker import CeleryProcess, beat, needs_redis
from tests.people import make_person

pytestmark = needs_redis


@pytest.fixture
def start_beat(worker_env, tmp_path) -> Iterator[Callable[[], CeleryProcess]]:
    started: list[CeleryProcess] = []

    def start() -> CeleryProcess:
        started.append(beat(worker_env, tmp_path / "beat.log", tmp_path / "schedule"))
        return started[-1].wait_ready()

    yield start
    for process in started:
        process.stop()


def wait_for(condition: Callable[[], bool], timeout: float, *logs) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    rows = list(FleetOverview.objects.values("tenant", "asset_count", "error_code", "computed_at", "next_run_at"))
    raise AssertionError(f"not there in {timeout} s: {rows}\n" + "\n".join(log()[-3000:] for log in logs))


def settled(tenant: str) -> bool:
    row = FleetOverview.objects.filter(tenant=tenant).first()
    return row is not None and (row.computed_at is not None or bool(row.error_code))


def test_beat_and_a_worker_keep_each_tenants_overview(app, start_worker, start_beat, clean_emulator):
    for tenant in ("acme", "globex", "hooli"):
        make_person(tenant, "norole")  # people have signed in from three tenants
    clean_emulator.fault(mode="503", target="gateway", calls=1000, tenant="globex")  # globex's data is down
    worker = start_worker()
    scheduler = start_beat()  # the first run at start-up, not one schedule interval later
    wait_for(lambda: all(map(settled, ("acme", "globex", "hooli"))), 90, worker.log_text, scheduler.log_text)
    acme, globex, hooli = (FleetOverview.objects.get(tenant=tenant) for tenant in ("acme", "globex", "hooli"))
    assert (acme.asset_count, acme.not_reporting_count, acme.error_code) == (28, 3, "")
    assert (globex.computed_at, globex.error_code) == (None, "unreachable")
    assert (hooli.computed_at, hooli.error_code) == (None, "not_permitted")
    assert "does not have app" in hooli.error_message

    browser = app.sign_in("acme", "user@acme.example").browser
    home = " ".join(browser.get(app.url("/home/user/"), timeout=30).text.replace("\xa0", " ").split())
    assert "28 assets · 3 not reporting" in home


def test_a_tenants_first_sign_in_starts_its_first_overview(app, start_worker, app_publishes_to_redis):
    start_worker()
    browser = app.sign_in("acme", "user@acme.example").browser  # no beat: the sign-in itself queues the run
    wait_for(lambda: settled("acme"), 60)
    page = " ".join(browser.get(app.url("/home/user/"), timeout=30).text.replace("\xa0", " ").split())
    assert "28 assets · 3 not reporting" in page


def test_refresh_now_goes_from_the_page_to_the_worker(app, start_worker, app_publishes_to_redis):
    FleetOverview.objects.create(tenant="acme")  # a tenant the app knows: its sign-ins leave the runs to beat
    browser = app.sign_in("acme", "admin@acme.example").browser
    start_worker()
    home = browser.get(app.url("/home/admin/"), timeout=30)
    assert "Not computed yet" in home.text
    response = browser.post(
        app.url("/fleet/refresh/"),
        data={"csrfmiddlewaretoken": csrf_from(home.text)},
        headers={"Referer": app.url("/home/admin/")},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302
    wait_for(lambda: settled("acme"), 60)
    page = " ".join(browser.get(app.url("/home/admin/"), timeout=30).text.replace("\xa0", " ").split())
    assert "28 assets · 3 not reporting" in page and "Refresh now" in page
