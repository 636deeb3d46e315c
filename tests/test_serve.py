"""`make serve` on this machine: the production stack answers with DEBUG off, then stops cleanly.

Also the Procfile Cloud Foundry runs: its web command serves /healthz on $PORT.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "t8Vq2mZx7LpA4sRw9eH1yBn6cGd3fTiO5aKqMxWvYsNpLrKjHgFdSaQwErTyUi"


def wait_for(url: str, process: subprocess.Popen, log: Path, deadline: float = 120) -> requests.Response:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            pytest.fail(f"exited early ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer in {deadline} s:\n{log.read_text()[-4000:]}")


def processes_with(marker: str) -> list[int]:
    """PIDs of live processes whose environment carries `marker` (all that a run started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture
def stack_env(tmp_path) -> dict[str, str]:
    app_port, emulator_port = free_port(), free_port()
    dropped = ("DJANGO_", "MINDSPHERE_", "EMULATOR_", "PYTEST", "DATABASE_URL", "CELERY_", "REDIS_URL", "DEBUG")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    env.update(  # no MindSphere URLs or redirect URIs: they follow the two ports
        APP_PORT=str(app_port),
        EMULATOR_PORT=str(emulator_port),
        EMULATOR_DATABASE_URL=f"sqlite:///{tmp_path / 'emulator.sqlite3'}",
        EMULATOR_FAST_PASSWORD_HASHER="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}",
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SECRET_KEY=STRONG_KEY,
        SERVE_TEST_MARKER=f"serve-test-{uuid.uuid4().hex}",
    )
    return env


@pytest.fixture(params=["sqlite", pytest.param("postgres-redis", marks=[pytest.mark.postgres, pytest.mark.redis])])
def services(request, stack_env) -> dict[str, str]:
    """The stack's environment on SQLite and the file-system broker, or on PostgreSQL and Redis."""
    if request.param == "sqlite":
        yield stack_env
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL (DATABASE_URL): CI's PostgreSQL pass")
    import psycopg

    redis_url = request.getfixturevalue("celery_redis_url")
    base, name = os.environ["DATABASE_URL"].rsplit("/", 1)[0], f"serve_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**stack_env, "DATABASE_URL": f"{base}/{name}", "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url}
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.live
def test_make_serve_runs_the_production_stack_and_stops_cleanly(services, tmp_path):
    stack_env = services
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        make = subprocess.Popen(
            ["make", "serve"], cwd=ROOT, env=stack_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{stack_env['APP_PORT']}"
    try:
        login = wait_for(base + "/", make, log)
        assert login.status_code == 200 and "Sign in" in login.text
        emulator_origin = f"http://127.0.0.1:{stack_env['EMULATOR_PORT']}"
        assert f"form-action 'self' {emulator_origin}" in login.headers["Content-Security-Policy"]  # its sign-in
        assert login.headers["Server"] == "gunicorn"
        assert "Content-Security-Policy" in login.headers and login.headers["X-Frame-Options"] == "DENY"
        missing = requests.get(base + "/no-such-page/", timeout=10)
        assert (
            missing.status_code == 404 and "Traceback" not in missing.text and "URLconf" not in missing.text
        )  # DEBUG off
        css = login.text.split('href="/static/css/', 1)[1].split('"', 1)[0]
        assert requests.get(f"{base}/static/css/{css}", timeout=10).status_code == 200  # collected, hashed
        assert requests.get(base + "/readyz", timeout=10).json()["ready"] is True
        callback = requests.get(
            base + "/accounts/mindsphere/login/callback/?code=SECRETCODE123&state=SECRETSTATE9", timeout=10
        )
        assert callback.status_code in (200, 302)
        emulator = wait_for(f"http://127.0.0.1:{stack_env['EMULATOR_PORT']}/_emulator/stats", make, log)
        assert emulator.status_code == 200
        wait_until(lambda: "celery@" in log.read_text() and "ready" in log.read_text(), log)
    finally:
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C in the terminal
        make.wait(timeout=90)
    wait_until(lambda: not processes_with(stack_env["SERVE_TEST_MARKER"]), log)
    text = log.read_text()
    assert "Shutting down: Master" in text  # gunicorn drained and stopped
    assert "SIGKILL" not in text  # everything stopped by itself within the grace period
    assert "SECRETCODE123" not in text and "SECRETSTATE9" not in text  # the access log has no query strings


def wait_until(condition, log: Path, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"not reached in {deadline} s:\n{log.read_text()[-4000:]}")


@pytest.mark.live
def test_the_procfile_web_command_serves_healthz_on_port(stack_env, tmp_path):
    """Cloud Foundry runs the Procfile's web command with $PORT set and the app's bin on PATH."""
    web = next(
        line.split(":", 1)[1].strip()
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    port = free_port()
    env = {
        **stack_env,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DEBUG": "0",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    log = tmp_path / "web.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            web, shell=True, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        response = wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
        assert response.status_code == 200 and response.text == "ok"
        assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json()["database"] == "ok"  # it migrated
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def test_the_cloud_foundry_manifest_runs_every_procfile_process():
    manifest = (ROOT / "manifest.yml").read_text()
    types = [line.split(":", 1)[0] for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    assert types == ["web", "worker", "beat"]
    for kind in types:
        assert f"- type: {kind}" in manifest
    assert "health-check-http-endpoint: /healthz" in manifest and 'TRUST_X_FORWARDED_PROTO: "1"' in manifest
    assert "SECRET_KEY:" not in manifest  # secrets are set with `cf set-env`, never committed
    assert (ROOT / "runtime.txt").read_text().startswith("python-3.11")
