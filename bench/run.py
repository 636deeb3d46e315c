"""`make bench`: req/s and p99 of the app's hot URLs, as ratios against bare Django views of the same run.

Starts the production stack's web server (gunicorn, DEBUG off) with the bench URLconf and the
emulator, signs a demo user in through the real flow, and drives each URL with wrk (Debian's,
installed if missing). Absolute numbers vary from machine to machine; the ratios against the
reference views measured in the same run are what to compare (docs/performance.md).

    python -m bench.run [--seconds 10] [--connections 8] [--database-url URL] [--redis-url URL]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STRONG_KEY = "bench-" + "x7Lq2mZv9PaR4sWe8tYu1iOp3aSd5fGh6jKl0zXc2vBn4mQw"
REFERENCES = ["/bench/anonymous/", "/bench/signed-in/"]


@dataclass
class Result:
    url: str
    rps: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    print("Installing Debian's wrk (apt-get install -y wrk)…", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                   stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk is not installed and could not be installed")


def wait_for(url: str, process: subprocess.Popen, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            sys.exit(f"{process.args[0]} exited while starting")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer in {deadline} s")


class Stack:
    """The emulator and gunicorn (bench URLconf) on free ports, in a temporary directory."""

    def __init__(self, workdir: Path, database_url: str, redis_url: str, workers: int) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []
        self.emulator_port, self.app_port = free_port(), free_port()
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "MINDSPHERE_", "EMULATOR_"))},
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "0",
            "SECRET_KEY": STRONG_KEY,
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'app.sqlite3'}",
            "REDIS_URL": redis_url,
            "CELERY_BROKER_FOLDER": str(workdir / "broker"),
            "CELERY_BEAT_SCHEDULE_FILENAME": str(workdir / "beat"),
            "MINDSPHERE_AUTH_URL": f"http://127.0.0.1:{self.emulator_port}/{{tenant}}",
            "MINDSPHERE_GATEWAY_URL": f"http://127.0.0.1:{self.emulator_port}/gateway",
            "EMULATOR_DATABASE_URL": f"sqlite:///{workdir / 'emulator.sqlite3'}",
            "EMULATOR_FAST_PASSWORD_HASHER": "1",
            "WEB_CONCURRENCY": str(workers),
            "LOG_LEVEL": "WARNING",
            "OAUTHLIB_INSECURE_TRANSPORT": "1",
        }

    def run(self, *command: str) -> None:
        subprocess.run(command, cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start(self, *command: str) -> subprocess.Popen:
        log = (self.workdir / f"{len(self.processes)}.log").open("w")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def up(self) -> str:
        self.run(PYTHON, "-m", "emulator", "migrate", "--noinput", "-v0")
        self.run(PYTHON, "-m", "emulator", "seed_demo")
        self.run(PYTHON, "manage.py", "migrate", "--noinput", "-v0")
        self.run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0")
        emulator = self.start(PYTHON, "-m", "emulator", "runserver", f"127.0.0.1:{self.emulator_port}", "--noreload", "--skip-checks")
        wait_for(f"http://127.0.0.1:{self.emulator_port}/_emulator/stats", emulator)
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        web = self.start(gunicorn, "-c", "project/gunicorn.py", "--bind", f"127.0.0.1:{self.app_port}", "--access-logfile", "/dev/null", "project.wsgi")
        base = f"http://127.0.0.1:{self.app_port}"
        wait_for(base + "/healthz", web)
        return base

    def down(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=60)


def sign_in(base: str, tenant: str, email: str) -> requests.Session:
    """The real flow: the Login page, the emulator's sign-in form, the callback (tests/app_client.py does the same)."""
    sys.path.insert(0, str(ROOT))
    from tests.app_client import AppClient  # the test suite's no-JS browser; the bench reuses it

    return AppClient(base).sign_in(tenant, email).browser


def wrk(wrk_path: str, url: str, cookie: str, seconds: int, connections: int, headers: dict[str, str]) -> Result:
    command = [wrk_path, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return parse_wrk(url, subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout)


def parse_wrk(url: str, output: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Result(url, rps, p99_ms, int(errors.group(1)) if errors else 0)


def asset_urls(browser: requests.Session, base: str) -> list[str]:
    page = browser.get(base + "/assets/", timeout=30).text
    asset = re.search(r'href="/assets/([^/"]+)/"', page).group(1)
    return [f"/assets/{asset}/?range=24h", f"/assets/{asset}/?range=7d"]


def run_once(label: str, args: argparse.Namespace, database_url: str, redis_url: str, wrk_path: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        stack = Stack(Path(workdir), database_url, redis_url, args.workers)
        try:
            base = stack.up()
            admin = sign_in(base, "acme", "admin@acme.example")
            cookie = "; ".join(f"{name}={value}" for name, value in admin.cookies.items())
            urls = args.urls or ["/sso/session/", "/home/admin/", "/home/user/", "/assets/", *asset_urls(admin, base), "/manage/roles/"]
            urls = [*REFERENCES, *urls]
            results = []
            for url in urls:
                headers = {"HX-Request": "true"} if url == "/sso/session/" else {}
                results.append(wrk(wrk_path, base + url, cookie, args.seconds, args.connections, headers))
                results[-1].url = url
        finally:
            stack.down()
    print_table(label, results)


def print_table(label: str, results: list[Result]) -> None:
    anonymous, signed_in = results[0].rps, results[1].rps
    print(f"\n{label}")
    print(f"{'URL':50} {'req/s':>9} {'p99 ms':>9} {'x anon':>7} {'x signed-in':>12} {'errors':>7}")
    for result in results:
        print(
            f"{result.url[:50]:50} {result.rps:9.1f} {result.p99_ms:9.1f} {result.rps / anonymous:7.2f} "
            f"{result.rps / signed_in:12.2f} {result.errors:7d}"
        )


def local_services() -> tuple[str, str]:
    """PostgreSQL and Redis on this machine, when they answer: a bench database and Redis DB 12."""
    database_url = redis_url = ""
    try:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=2) as admin:
            admin.execute("DROP DATABASE IF EXISTS mindsphere_bench WITH (FORCE)")
            admin.execute("CREATE DATABASE mindsphere_bench")
        database_url = "postgres://postgres@127.0.0.1:5432/mindsphere_bench"
    except Exception as error:  # no server: the second run is skipped, and the reason printed
        print(f"PostgreSQL not used: {type(error).__name__}")
    try:
        import redis

        client = redis.Redis.from_url("redis://127.0.0.1:6379/12", socket_connect_timeout=2)
        client.flushdb()
        redis_url = "redis://127.0.0.1:6379/12"
    except Exception as error:
        print(f"Redis not used: {type(error).__name__}")
    return database_url, redis_url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="seconds per URL (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--database-url", help="PostgreSQL for the second run (default: a bench database on 127.0.0.1)")
    parser.add_argument("--redis-url", help="Redis for the second run (default: 127.0.0.1:6379 DB 12, flushed)")
    parser.add_argument("--urls", nargs="*", help="only these app URLs (the references always run)")
    args = parser.parse_args(argv)
    if args.database_url is None and args.redis_url is None:
        args.database_url, args.redis_url = local_services()
    wrk_path = ensure_wrk()
    print(f"{os.cpu_count()} cores; gunicorn {args.workers} workers; wrk -t2 -c{args.connections} -d{args.seconds}s")
    run_once("SQLite, database sessions", args, "", "", wrk_path)
    if args.database_url or args.redis_url:
        run_once(f"{'PostgreSQL' if args.database_url else 'SQLite'}{', Redis cache and sessions' if args.redis_url else ''}",
                 args, args.database_url, args.redis_url, wrk_path)


if __name__ == "__main__":
    main()
