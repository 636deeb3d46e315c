"""Two gunicorn instances behind HAProxy, on PostgreSQL and Redis, with the emulator and a Celery worker.

Sign in through the balancer; once the access token is due, 40 concurrent checks over both
instances make exactly one refresh; an instance killed mid-run costs nobody their session; an
export started through the balancer finishes on the worker. Needs haproxy (`.ci/run` installs it),
PostgreSQL and Redis, so it runs in CI's PostgreSQL pass (DATABASE_URL set) and is skipped elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import psycopg
import pytest
import requests

from tests.app_client import AppClient
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
ACCESS_SECONDS, LEEWAY = 140, 120  # a token is due 20 s after it is issued: time for a burst to finish
STRONG_KEY = "s9Kd2mZx7LpA4sRw9eH1yBn6cGd3fTiO5aKqMxWvYsNpLrKjHgFdSaQwErTyUo"

pytestmark = [
    pytest.mark.live,
    pytest.mark.postgres,
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="needs haproxy (apt-get install haproxy)"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
    ),
]


@pytest.fixture
def database() -> str:
    """A PostgreSQL database of its own for the instances, migrated; dropped afterwards."""
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"scaleout_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        check=True,
        env={**clean_env(), "DATABASE_URL": url, "DEBUG": "1"},
    )
    yield url
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def clean_env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "MINDSPHERE_", "CELERY_", "DATABASE_URL", "REDIS_URL"))
    }


class Stack:
    """Started processes, each in its own process group, stopped at the end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir, self.processes = workdir, {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.workdir / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def wait_ready(self, name: str, url: str, deadline: float = 60) -> None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.processes[name].poll() is not None:
                raise AssertionError(f"{name} exited:\n{self.log(name)[-3000:]}")
            try:
                if requests.get(url, timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"{name}: {url} did not answer in {deadline} s:\n{self.log(name)[-3000:]}")

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


HAPROXY = """
global
    maxconn 200
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
frontend app
    bind 127.0.0.1:{port}
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /healthz
    default-server inter 1s fall 1 rise 1
    server a 127.0.0.1:{a} check
    server b 127.0.0.1:{b} check
"""


@pytest.fixture
def stack(tmp_path, database, celery_redis_url, emulator_factory):
    emulator = emulator_factory(EMULATOR_ACCESS_TOKEN_SECONDS=ACCESS_SECONDS)
    env = {
        **clean_env(),
        "DATABASE_URL": database,
        "REDIS_URL": celery_redis_url,
        "CELERY_BROKER_URL": celery_redis_url,
        "MINDSPHERE_AUTH_URL": emulator.url + "/{tenant}",
        "MINDSPHERE_GATEWAY_URL": emulator.url + "/gateway",
        "MINDSPHERE_TOKEN_LEEWAY": str(LEEWAY),
        "SECRET_KEY": STRONG_KEY,
        "DEBUG": "0",
        "LOCAL_HTTP": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "WEB_CONCURRENCY": "2",
        "OAUTHLIB_INSECURE_TRANSPORT": "1",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    stack = Stack(tmp_path)
    ports = {"a": free_port(), "b": free_port(), "lb": free_port()}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    for name in ("a", "b"):
        stack.start(
            name, [gunicorn, "-c", "project/gunicorn.py", "--bind", f"127.0.0.1:{ports[name]}", "project.wsgi"], env
        )
        stack.wait_ready(name, f"http://127.0.0.1:{ports[name]}/healthz")
    (tmp_path / "haproxy.cfg").write_text(HAPROXY.format(port=ports["lb"], a=ports["a"], b=ports["b"]))
    stack.start("haproxy", ["haproxy", "-db", "-f", str(tmp_path / "haproxy.cfg")], env)
    stack.start(
        "worker",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "project",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "--loglevel=INFO",
        ],
        env,
    )
    stack.wait_ready("haproxy", f"http://127.0.0.1:{ports['lb']}/healthz")
    stack.url, stack.emulator = f"http://127.0.0.1:{ports['lb']}", emulator
    yield stack
    stack.stop()


def checks(app: AppClient, browser: requests.Session, count: int) -> list[int]:
    def check(_: int) -> int:
        with requests.Session() as each:  # a browser tab: the same cookies, its own connection
            each.cookies.update(browser.cookies)
            return each.get(app.url("/sso/session/"), headers={"HX-Request": "true"}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(check, range(count)))


def refreshes(stack) -> int:
    return stack.emulator.stats()["tenants"].get("acme", {}).get("refreshes", 0)


def test_two_instances_behind_haproxy(stack):
    app = AppClient(stack.url)
    browser = app.sign_in("acme", "user@acme.example").browser
    assert browser.get(app.url("/account/"), timeout=30).status_code == 200
    time.sleep(ACCESS_SECONDS - LEEWAY + 2)  # the access token is now due for a refresh

    assert checks(app, browser, 40) == [204] * 40
    assert refreshes(stack) == 1  # one refresh across both instances and all their workers
    served = {name: stack.log(name).count("/sso/session/") for name in ("a", "b")}
    assert served["a"] > 0 and served["b"] > 0, served

    stack.kill("a")  # an instance dies: the balancer sends everyone to the other one
    assert checks(app, browser, 10) == [204] * 10
    assert browser.get(app.url("/account/"), timeout=30).status_code == 200  # still signed in

    page = browser.get(app.url("/assets/"), timeout=30).text
    asset_id = re.search(r'href="/assets/([^/"]+)/"', page).group(1)
    today = date.today().isoformat()
    started = app.post(
        browser,
        f"/assets/{asset_id}/export/",
        {"property_set": "Environment", "variables": "temperature", "start": today, "end": today},
    )
    assert started.status_code == 302, started.text[:500]
    status_url = app.url(started.headers["Location"])
    deadline = time.monotonic() + 90
    while "Download" not in (page := browser.get(status_url, timeout=30).text):
        assert time.monotonic() < deadline, page[-2000:] + stack.log("worker")[-3000:]
        time.sleep(1)
