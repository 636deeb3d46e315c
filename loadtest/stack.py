"""The production stack on loopback, from throw-away parts: for `make loadtest` and the fault tests.

Redis (`redis-server`) and PostgreSQL (`initdb` + `pg_ctl`) run in a directory of their own on free
ports, so they can be killed and restarted (Redis with its data lost) without touching the
machine's own services. Two gunicorn instances of the app sit behind HAProxy, as in
tests/test_scale_out.py, with a Celery worker and N emulator processes behind HAProxy too (they
share one SQLite database: tokens, faults and stats are the same in all of them).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "loadtest-only-8Jq2mZx7LpA4sRw9eH1yBn6cGd3fTiO5aKqMxWvYsNpLrKj"
# Variables of the caller that must not leak into the stack's processes.
PRIVATE_PREFIXES = ("DJANGO_", "PYTEST", "MINDSPHERE_", "CELERY_", "DATABASE_URL", "REDIS_URL", "EMULATOR_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith(PRIVATE_PREFIXES)}


def postgres_bin() -> Path | None:
    """The directory of `initdb` and `pg_ctl` (on PATH, or Debian's /usr/lib/postgresql/<version>/bin)."""
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return Path(shutil.which("initdb") or "").parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda path: int(path.split("/")[4]))
    return Path(found[-1]).parent if found else None


def wait_until(what: str, ready, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > end:
            raise RuntimeError(f"{what} not ready in {seconds} s")
        time.sleep(0.2)


@dataclass
class Processes:
    """Started processes, each in its own process group, logging to <workdir>/<name>.log."""

    workdir: Path
    running: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        with (self.workdir / f"{name}.log").open("a") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running[name] = process
        return process

    def wait_http(self, name: str, url: str, seconds: float = 90) -> None:
        def ready() -> bool:
            if self.running[name].poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.log(name)[-3000:]}")
            try:
                return requests.get(url, timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until(f"{name} ({url})", ready, seconds)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=60)

    def stop(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running.clear()


class RedisServer:
    """A redis-server of its own, keeping nothing on disk: restarting it loses its data."""

    def __init__(self, processes: Processes) -> None:
        self.processes, self.port = processes, free_port()
        self.directory = processes.workdir / "redis"
        self.directory.mkdir(exist_ok=True)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.directory)]
        self.processes.start("redis", command, clean_env())
        wait_until("redis", self.ping, 30)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        self.processes.kill("redis")

    def restart(self) -> None:
        """Killed and started again, empty (its data lost)."""
        self.stop()
        self.start()


class PostgresServer:
    """A PostgreSQL cluster of its own in a temporary directory (trust authentication, loopback only)."""

    def __init__(self, processes: Processes, binaries: Path) -> None:
        self.bin, self.port = binaries, free_port()
        # Its own directory under the system's temp dir: a test's tmp_path is private to root, and
        # PostgreSQL runs as the postgres user when we are root.
        self.directory = Path(tempfile.mkdtemp(prefix="loadtest-postgres-"))
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/loadtest"

    def _run(self, *command: str) -> None:
        # PostgreSQL refuses to run as root: as the postgres user then (Debian's package creates it).
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_user, *command], check=True, capture_output=True, cwd="/")

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.directory / "data"), "-A", "trust", "-U", "postgres")
        self.start()
        import psycopg

        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE loadtest")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-l", str(self.directory / "log"),
            "-o", options, "-w", "start",
        )  # fmt: skip

    def pids(self) -> list[int]:
        """The postmaster and its children (backends, background processes), for CPU figures."""
        try:
            postmaster = int((self.directory / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        return [postmaster, *_children(postmaster)]

    def stop(self) -> None:
        """Stopped at once (`immediate`): connections break as they would when the server dies."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")


HAPROXY = """
global
    maxconn 8000
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch
    retry-on conn-failure empty-response
frontend app
    bind 127.0.0.1:{app_port}
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /healthz
    # A busy instance answers its health check late, not never: marking it down after one slow check
    # sent every request to "no server available" (503) during the sign-in rush. A dead instance is
    # found at once by the refused connection (retry-on conn-failure, redispatch), not by the check.
    timeout check 5s
    default-server inter 1s fall 3 rise 1 maxconn 64
{app_servers}
frontend emulator
    bind 127.0.0.1:{emulator_port}
    default_backend emulators
backend emulators
    balance roundrobin
{emulator_servers}
"""


@dataclass
class StackOptions:
    emulators: int = 1
    web_concurrency: int = 2  # gunicorn workers per instance
    threads: int = 1  # GUNICORN_THREADS
    access_seconds: int = 1800  # EMULATOR_ACCESS_TOKEN_SECONDS
    leeway: int = 120  # MINDSPHERE_TOKEN_LEEWAY
    people: int = 0  # emulator seed_people --count
    worker: bool = True  # a Celery worker (exports)


class Stack:
    """The whole stack, started by `start()` and stopped by `stop()` (or as a context manager)."""

    def __init__(self, workdir: Path, options: StackOptions | None = None) -> None:
        self.workdir = workdir
        self.options = options or StackOptions()
        self.processes = Processes(workdir)
        self.redis = RedisServer(self.processes)
        binaries = postgres_bin()
        if binaries is None:
            raise RuntimeError("needs PostgreSQL's initdb and pg_ctl (apt-get install postgresql)")
        self.postgres = PostgresServer(self.processes, binaries)
        self.ports = {"a": free_port(), "b": free_port(), "app": free_port(), "emulator": free_port()}
        self.emulator_ports = [free_port() for _ in range(self.options.emulators)]
        self.url = f"http://127.0.0.1:{self.ports['app']}"
        self.emulator_url = f"http://127.0.0.1:{self.ports['emulator']}"

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.redis.start()
        self.postgres.init()
        self._start_emulators()
        env = self.app_env()
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
        for name in ("a", "b"):
            self.start_instance(name)
        self._write_haproxy()
        self.processes.start("haproxy", ["haproxy", "-db", "-f", str(self.workdir / "haproxy.cfg")], clean_env())
        if self.options.worker:
            worker = [sys.executable, "-m", "celery", "-A", "project", "worker", "--pool=threads", "--concurrency=2"]
            self.processes.start("worker", worker, env)
        self.processes.wait_http("haproxy", f"{self.url}/healthz")

    def _emulator_env(self) -> dict[str, str]:
        return {
            **clean_env(),
            "EMULATOR_DATABASE_URL": f"sqlite:///{self.workdir / 'emulator.sqlite3'}",
            "EMULATOR_FAST_PASSWORD_HASHER": "1",
            "EMULATOR_ACCESS_TOKEN_SECONDS": str(self.options.access_seconds),
            "PYTHONUNBUFFERED": "1",
        }

    def _start_emulators(self) -> None:
        env = self._emulator_env()
        emulator = [sys.executable, "-m", "emulator"]
        subprocess.run([*emulator, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*emulator, "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        if self.options.people:
            count = ["--count", str(self.options.people)]
            subprocess.run([*emulator, "seed_people", *count], cwd=ROOT, env=env, check=True, capture_output=True)
        self.start_emulators()

    def start_emulators(self) -> None:
        """The emulator processes (again, after `stop_emulators`: the same ports and database)."""
        for number, port in enumerate(self.emulator_ports):
            command = [
                sys.executable,
                "-m",
                "emulator",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--skip-checks",
            ]
            self.processes.start(f"emulator-{number}", command, self._emulator_env())
            self.processes.wait_http(f"emulator-{number}", f"http://127.0.0.1:{port}/_emulator/stats")

    def stop_emulators(self) -> None:
        """MindSphere down: every emulator process killed (connections refused)."""
        for number in range(len(self.emulator_ports)):
            self.processes.kill(f"emulator-{number}")

    def app_env(self) -> dict[str, str]:
        return {
            **clean_env(),
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "MINDSPHERE_AUTH_URL": self.emulator_url + "/{tenant}",
            "MINDSPHERE_GATEWAY_URL": self.emulator_url + "/gateway",
            "MINDSPHERE_TOKEN_LEEWAY": str(self.options.leeway),
            "SECRET_KEY": STRONG_KEY,
            "DEBUG": "0",
            "LOCAL_HTTP": "1",
            "MEDIA_ROOT": str(self.workdir / "media"),
            "WEB_CONCURRENCY": str(self.options.web_concurrency),
            "GUNICORN_THREADS": str(self.options.threads),
            "OAUTHLIB_INSECURE_TRANSPORT": "1",
            "LOG_LEVEL": "WARNING",
        }

    def start_instance(self, name: str) -> None:
        """App instance `name` ("a" or "b"): gunicorn as `make serve` runs it, on its own port."""
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "-c", "project/gunicorn.py", "--bind", f"127.0.0.1:{self.ports[name]}", "project.wsgi"]
        self.processes.start(name, command, self.app_env())
        self.processes.wait_http(name, f"http://127.0.0.1:{self.ports[name]}/healthz")

    def _write_haproxy(self) -> None:
        app_servers = "\n".join(f"    server {name} 127.0.0.1:{self.ports[name]} check" for name in ("a", "b"))
        emulator_servers = "\n".join(
            f"    server e{number} 127.0.0.1:{port}" for number, port in enumerate(self.emulator_ports)
        )
        config = HAPROXY.format(
            app_port=self.ports["app"],
            emulator_port=self.ports["emulator"],
            app_servers=app_servers,
            emulator_servers=emulator_servers,
        )
        (self.workdir / "haproxy.cfg").write_text(config)

    def pids(self) -> dict[str, list[int]]:
        """The process ids of each part (a gunicorn instance: its master and workers), for CPU figures."""
        found: dict[str, list[int]] = {}
        for name, process in self.processes.running.items():
            group = _pids_in_group(process.pid)
            found[name] = group or [process.pid]
        found["postgres"] = self.postgres.pids()
        return found

    def emulator_stats(self) -> dict:
        return requests.get(f"{self.emulator_url}/_emulator/stats", timeout=30).json()

    def fault(self, **spec: object) -> None:
        requests.post(f"{self.emulator_url}/_emulator/faults", json=spec, timeout=30).raise_for_status()

    def clear_faults(self) -> None:
        requests.delete(f"{self.emulator_url}/_emulator/faults", timeout=30).raise_for_status()

    def stop(self) -> None:
        self.processes.stop()
        if (self.postgres.directory / "data" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
                self.postgres.stop()
        shutil.rmtree(self.postgres.directory, ignore_errors=True)


def _processes() -> list[tuple[int, int, int]]:
    """(pid, parent, group) of every process (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found.append((int(entry.name), int(fields[1]), int(fields[2])))
    return found


def _pids_in_group(group: int) -> list[int]:
    return [pid for pid, _parent, pgrp in _processes() if pgrp == group]


def _children(parent: int) -> list[int]:
    return [pid for pid, ppid, _group in _processes() if ppid == parent]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total
