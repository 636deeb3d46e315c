"""`make run` on ports other than 8000/8001: the app talks to the emulator it started, and a newcomer's
terminal shows nothing that looks like a failure, from the start to Ctrl-C.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.app_client import AppClient
from tests.servers import free_port
from tests.test_serve import processes_with, wait_for, wait_until

ROOT = Path(__file__).resolve().parent.parent
# What a newcomer would read as "something is wrong": Python's and the servers' words for it, a
# process that did not stop by itself, make's own failure line.
ALARMING = re.compile(
    r"\b(warn|warning|error|errors|traceback|exception|critical|fatal|denied|refused|unreachable|SIGKILL)\b"
    r"|rc=(?!0\))|make: \*\*\*",
    re.IGNORECASE,
)


@dataclass
class Run:
    process: subprocess.Popen
    log: Path
    marker: str
    app: AppClient
    emulator_url: str
    gateway_url: str

    def stop(self) -> str:
        """Ctrl-C in the terminal (SIGINT to the whole foreground group), then everything it started is gone."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=90)
        wait_until(lambda: not processes_with(self.marker), self.log)
        return self.log.read_text()


@pytest.fixture(scope="module")
def make_run(tmp_path_factory) -> Iterator[Run]:
    """`APP_PORT=… EMULATOR_PORT=… make run`, with nothing else about MindSphere set, in its own databases."""
    tmp = tmp_path_factory.mktemp("make-run")
    app_port, emulator_port, gateway_port = free_port(), free_port(), free_port()
    dropped = (
        "DJANGO_",
        "MINDSPHERE_",
        "EMULATOR_",
        "PYTEST",
        "DATABASE_URL",
        "CELERY_",
        "REDIS_URL",
        "DEBUG",
        "SECRET_KEY",
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    marker = f"make-run-test-{uuid.uuid4().hex}"
    env.update(
        APP_PORT=str(app_port),
        EMULATOR_PORT=str(emulator_port),
        GATEWAY_PORT=str(gateway_port),
        DATABASE_URL=f"sqlite:///{tmp / 'app.sqlite3'}",
        EMULATOR_DATABASE_URL=f"sqlite:///{tmp / 'emulator.sqlite3'}",
        EMULATOR_FAST_PASSWORD_HASHER="1",
        CELERY_BROKER_FOLDER=str(tmp / "broker"),
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp / "beat-schedule"),
        MEDIA_ROOT=str(tmp / "media"),
        MAKE_RUN_TEST_MARKER=marker,
    )
    log = tmp / "run.log"
    # -o: the virtualenv is this test run's own; make must not reinstall into it.
    command = ["make", "-o", ".venv/.runtime", "run"]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    run = Run(
        process,
        log,
        marker,
        AppClient(f"http://127.0.0.1:{app_port}"),
        f"http://127.0.0.1:{emulator_port}",
        f"http://127.0.0.1:{gateway_port}",
    )
    try:
        wait_for(run.app.url("/healthz"), process, log, deadline=240)
        wait_for(run.emulator_url + "/_emulator/stats", process, log)
        wait_until(lambda: "celery@" in log.read_text() and "beat: Starting" in log.read_text(), log)
        yield run
    finally:
        run.stop()


@pytest.mark.live
def test_make_run_on_other_ports_signs_in_through_its_own_emulator(make_run: Run):
    started = make_run.app.start_sign_in(make_run.app.new_browser(), "acme")
    authorize = urlsplit(started.headers["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == make_run.emulator_url
    callback = parse_qs(authorize.query)["redirect_uri"][0]
    assert callback == make_run.app.url("/accounts/mindsphere/login/callback/")

    signed_in = make_run.app.sign_in("acme", "user@acme.example")
    assert urlsplit(signed_in.final.url).path == "/home/user/"
    assets = signed_in.browser.get(make_run.app.url("/assets/?q=pump"), timeout=30)  # through its gateway
    assert assets.status_code == 200 and "Pump 01" in assets.text
    stats = requests.get(make_run.emulator_url + "/_emulator/stats", timeout=10).json()
    assert stats["tenants"]["acme"]["code_exchanges"] >= 1

    # The tenant's first sign-in started its fleet overview (worker, app credentials, emulator's TMS).
    def overview() -> str:
        text = signed_in.browser.get(make_run.app.url("/fleet/overview/"), timeout=30).text
        return " ".join(text.replace("\xa0", " ").split())

    wait_until(lambda: "28 assets · 3 not reporting" in overview(), make_run.log, deadline=60)

    # Every process logged its requests, and none the sign-in's code or state (or the PKCE challenge).
    secrets = set()
    for hop in signed_in.hops:
        query = parse_qs(urlsplit(hop.headers.get("Location", "")).query)
        secrets |= {value for key in ("code", "state", "code_challenge") for value in query.get(key, [])}
    log = make_run.log.read_text()
    assert "/accounts/mindsphere/login/callback/" in log and "/oauth/authorize" in log and secrets
    assert [secret for secret in secrets if secret in log] == []


@pytest.mark.live
def test_make_run_serves_the_app_on_its_launchpad_too(make_run: Run):
    """The second entrance: through make run's gateway the app signs the person in from the bearer token."""
    from types import SimpleNamespace

    from tests.emulator.test_gateway_proxy import sign_in as gateway_sign_in

    stack = SimpleNamespace(url=make_run.gateway_url, emulator=SimpleNamespace(url=make_run.emulator_url))
    browser = gateway_sign_in(stack, "acme", "user@acme.example")  # type: ignore[arg-type]
    home = browser.get(make_run.gateway_url + "/", timeout=30)
    assert home.status_code == 200 and urlsplit(home.url).path == "/home/user/"
    assert '<script src="/_gateway/osbar/v4/js/main.min.js" defer></script>' in home.text
    language = browser.post(
        make_run.gateway_url + "/account/language/",
        data={"csrfmiddlewaretoken": browser.cookies.get("csrftoken"), "language": "de", "next": "/account/"},
        headers={"x-xsrf-token": browser.cookies.get("XSRF-TOKEN"), "Origin": make_run.gateway_url},
        timeout=30,
    )
    assert language.status_code == 200 and 'lang="de"' in language.text  # the gateway's origin is trusted


@pytest.mark.live
def test_make_run_and_ctrl_c_print_nothing_that_looks_like_a_failure(make_run: Run):
    signed_in = make_run.app.sign_in("acme", "admin@acme.example")
    for path in ("/assets/", "/account/", "/manage/roles/"):
        assert signed_in.browser.get(make_run.app.url(path), timeout=30).status_code == 200
    text = make_run.stop()
    alarming = [line for line in text.splitlines() if ALARMING.search(line)]
    assert alarming == [], "\n".join(alarming)
    assert "SIGINT received" in text and "Warm shutdown" in text  # it really was stopped with Ctrl-C
    assert text.count("stopped (rc=0)") == 5  # app, emulator, gateway, worker and beat, each by itself


def test_the_app_follows_emulator_port_unless_the_urls_are_set():
    code = (
        "import django, json; django.setup(); from sso.app_settings import app_settings as s; "
        "print(json.dumps([s.MINDSPHERE_AUTH_URL, s.MINDSPHERE_GATEWAY_URL]))"
    )

    def urls(**env: str) -> list[str]:
        clean = {key: value for key, value in os.environ.items() if not key.startswith(("MINDSPHERE_", "EMULATOR_"))}
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**clean, "DJANGO_SETTINGS_MODULE": "project.settings", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)

    assert urls() == ["http://127.0.0.1:8001/{tenant}", "http://127.0.0.1:8001/gateway"]
    assert urls(EMULATOR_PORT="8801") == ["http://127.0.0.1:8801/{tenant}", "http://127.0.0.1:8801/gateway"]
    explicit = "https://{tenant}.piam.eu1.mindsphere.io"
    assert urls(EMULATOR_PORT="8801", MINDSPHERE_AUTH_URL=explicit)[0] == explicit


def test_every_procfile_of_make_run_and_make_serve_uses_the_ports():
    for name in ("Procfile.dev", "Procfile.serve"):
        text = (ROOT / name).read_text()
        assert "8000" not in text and "8001" not in text and "$APP_PORT" in text and "$EMULATOR_PORT" in text
