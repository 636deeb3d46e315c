"""The emulator as a real server in a subprocess, for tests that talk to it over HTTP."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def emulator_env(database: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMULATOR_")}
    env.update(
        {
            "EMULATOR_DATABASE_URL": f"sqlite:///{database}",
            "EMULATOR_FAST_PASSWORD_HASHER": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra or {})
    return env


def prepare_database(path: Path) -> None:
    """Migrate and seed an emulator database file (done once per test session, then copied)."""
    env = emulator_env(path)
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([sys.executable, "-m", "emulator", *command], cwd=ROOT, env=env, check=True, capture_output=True)


@dataclass
class Emulator:
    """A running emulator: its base URL and the /_emulator/ test controls."""

    url: str
    process: subprocess.Popen
    log_path: Path
    session: requests.Session = field(default_factory=requests.Session)

    def auth_url(self, tenant: str) -> str:
        return f"{self.url}/{tenant}"

    @property
    def gateway(self) -> str:
        return f"{self.url}/gateway"

    def stats(self) -> dict:
        return self.session.get(f"{self.url}/_emulator/stats", timeout=10).json()

    def reset_stats(self) -> None:
        self.session.delete(f"{self.url}/_emulator/stats", timeout=10).raise_for_status()

    def fault(self, **spec) -> dict:
        response = self.session.post(f"{self.url}/_emulator/faults", json=spec, timeout=10)
        response.raise_for_status()
        return response.json()

    def clear_faults(self) -> None:
        self.session.delete(f"{self.url}/_emulator/faults", timeout=10).raise_for_status()

    @property
    def database(self) -> Path:
        return self.log_path.parent / "emulator.sqlite3"

    def set_app_scopes(self, tenant: str, email: str, scopes: list[str]) -> None:
        """Change a user's app roles, as a tenant admin would in MindSphere's Settings app."""
        import sqlite3

        with sqlite3.connect(self.database, timeout=30) as db:
            (user_id,) = db.execute(
                "SELECT u.id FROM emulator_tenantuser u JOIN emulator_tenant t ON t.id = u.tenant_id"
                " WHERE t.name = ? AND u.email = ?",
                (tenant, email),
            ).fetchone()
            db.execute("DELETE FROM emulator_tenantuser_app_scopes WHERE tenantuser_id = ?", (user_id,))
            for scope in scopes:
                (scope_id,) = db.execute("SELECT id FROM emulator_appscope WHERE name = ?", (scope,)).fetchone()
                db.execute(
                    "INSERT INTO emulator_tenantuser_app_scopes (tenantuser_id, appscope_id) VALUES (?, ?)",
                    (user_id, scope_id),
                )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.session.close()


def start_emulator(template_db: Path, workdir: Path, extra_env: dict[str, str] | None = None) -> Emulator:
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "emulator.sqlite3"
    shutil.copyfile(template_db, database)
    port = free_port()
    log_path = workdir / "emulator.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=emulator_env(database, extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    emulator = Emulator(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited early:\n{emulator.log()}")
        try:
            if emulator.session.get(f"{emulator.url}/_emulator/stats", timeout=1).ok:
                return emulator
        except requests.ConnectionError:
            time.sleep(0.1)
    emulator.stop()
    raise RuntimeError(f"emulator did not start in 30 s:\n{emulator.log()}")
