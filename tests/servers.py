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
from urllib.parse import quote

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


# Variables the emulator reads only when seeding (the app registration), not when it serves.
SEED_VARIABLES = {
    "MINDSPHERE_APP_NAME",
    "MINDSPHERE_CLIENT_ID",
    "MINDSPHERE_CLIENT_SECRET",
    "EMULATOR_REDIRECT_URIS",
    # The app's credentials for the Token Management Service.
    "MDSP_KEY_STORE_CLIENT_ID",
    "MDSP_KEY_STORE_CLIENT_SECRET",
    "MDSP_OS_VM_APP_NAME",
    "MDSP_OS_VM_APP_VERSION",
    "MDSP_HOST_TENANT",
}


def prepare_database(path: Path, extra: dict[str, str] | None = None) -> None:
    """Migrate and seed an emulator database file (done once per test session, then copied)."""
    env = emulator_env(path, extra)
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

    def put_asset(self, tenant: str, asset_id: str, name: str, **fields) -> dict:
        """Add an asset (or replace the one with this id) through /_emulator/assets; its gateway JSON."""
        spec = {"tenant": tenant, "assetId": asset_id, "name": name, **fields}
        response = self.session.post(f"{self.url}/_emulator/assets", json=spec, timeout=10)
        if not response.ok:
            raise RuntimeError(f"adding asset {asset_id!r} failed: {response.status_code} {response.text}")
        return response.json()

    def set_app_scopes(self, tenant: str, email: str, scopes: list[str]) -> None:
        """Change a user's app roles, as a tenant admin would in MindSphere's Settings app."""
        response = self.session.put(self.scopes_url(tenant, email), json={"scopes": list(scopes)}, timeout=10)
        if not response.ok:
            raise RuntimeError(
                f"setting the scopes of {email} in {tenant} failed: {response.status_code} {response.text}"
            )

    def app_scopes(self, tenant: str, email: str) -> list[str]:
        response = self.session.get(self.scopes_url(tenant, email), timeout=10)
        response.raise_for_status()
        return response.json()["scopes"]

    def scopes_url(self, tenant: str, email: str) -> str:
        return f"{self.url}/_emulator/users/{quote(tenant, safe='')}/{quote(email, safe='@')}/scopes"

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


START_ATTEMPTS = 5
READY_SECONDS = 30
# What `runserver` prints when another process took the port between free_port() and its bind.
PORT_TAKEN = ("already in use", "Address already in use")


class PortTaken(RuntimeError):
    pass


def start_emulator(template_db: Path, workdir: Path, extra_env: dict[str, str] | None = None) -> Emulator:
    """A running emulator on a free port, with a copy of the template database.

    free_port() can only say a port was free a moment ago; should something take it before the
    emulator binds, the emulator exits with "already in use" and is started again on another port.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "emulator.sqlite3"
    shutil.copyfile(template_db, database)
    if SEED_VARIABLES & set(extra_env or {}):
        prepare_database(database, extra_env)  # e.g. another client secret: the registration changes
    for _attempt in range(START_ATTEMPTS):
        try:
            return _start_on(free_port(), database, workdir / "emulator.log", extra_env)
        except PortTaken as error:
            last = error
    raise RuntimeError(f"emulator found no free port in {START_ATTEMPTS} attempts:\n{last}")


def _start_on(port: int, database: Path, log_path: Path, extra_env: dict[str, str] | None) -> Emulator:
    command = ["runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]
    url = f"http://127.0.0.1:{port}"
    process = _launch("emulator", command, emulator_env(database, extra_env), log_path, f"{url}/_emulator/stats")
    return Emulator(url=url, process=process, log_path=log_path)


def _launch(name: str, command: list[str], env: dict[str, str], log_path: Path, ready_url: str) -> subprocess.Popen:
    """`python -m emulator <command>` once `ready_url` answers from this very process (X-Emulator-Pid)."""
    with log_path.open("w") as log:  # the child keeps its own handle
        process = subprocess.Popen(
            [sys.executable, "-m", "emulator", *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + READY_SECONDS
    with requests.Session() as probe:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log_text = log_path.read_text(errors="replace")
                if any(marker in log_text for marker in PORT_TAKEN):
                    raise PortTaken(f"the port of {ready_url} was taken:\n{log_text}")
                raise RuntimeError(f"{name} exited early:\n{log_text}")
            try:
                response = probe.get(ready_url, timeout=1)
                # Another server may hold the port while ours starts and then fails to bind it.
                if response.ok and response.headers.get("X-Emulator-Pid") == str(process.pid):
                    return process
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.1)
    _stop(process)
    raise RuntimeError(f"{name} did not start in {READY_SECONDS} s:\n{log_path.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Gateway:
    """A running emulated gateway (`python -m emulator gateway`) in front of an app, on the emulator's database."""

    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        _stop(self.process)


def start_gateway(emulator: Emulator, app_url: str, workdir: Path, extra_env: dict[str, str] | None = None) -> Gateway:
    """The emulated gateway on a free port, signing people in at `emulator` and serving the app at `app_url`."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = emulator_env(
        emulator.database,
        {"EMULATOR_URL": emulator.url, "EMULATOR_GATEWAY_APP_URL": app_url, **(extra_env or {})},
    )
    for _attempt in range(START_ATTEMPTS):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = ["gateway", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]
        try:
            process = _launch("gateway", command, env, workdir / "gateway.log", f"{url}/_gateway/status")
        except PortTaken as error:
            last = error
            continue
        return Gateway(url=url, process=process, log_path=workdir / "gateway.log")
    raise RuntimeError(f"gateway found no free port in {START_ATTEMPTS} attempts:\n{last}")
