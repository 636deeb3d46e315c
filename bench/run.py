"""`make bench`: req/s and p99 of the app's hot URLs, as ratios against bare Django views of the same run.

Starts the production stack's web server (gunicorn, DEBUG off) with the bench URLconf and the
emulator, signs a demo user in through the real flow, and drives each URL with wrk (Debian's,
installed if missing). Absolute numbers vary from machine to machine; the ratios against the
reference views measured in the same run are what to compare (docs/performance.md).

    python -m bench.run [--seconds 10] [--connections 8] [--database-url URL] [--redis-url URL]
                        [--records 10000 100000] [--assets 1000] [--sqlite-only] [--urls URL ...]

The Launchpad entrance is measured in the same run: the check and the role homes again, with the
bearer token MindSphere's gateway would send (the emulated gateway's) on every request.

Besides the table of URLs it shows that the work grows as it should: the session check with
10,000 and 100,000 token records in the database, the asset list with 1,000 assets in the tenant,
and the asset pages' latency one request at a time (p50 against the emulator).
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
REFERENCES = ["/bench/anonymous/", "/bench/signed-in/", "/bench/session/", "/bench/layout/"]
CHECK = "/sso/session/"
ROLE_HOMES = ["/home/admin/", "/home/user/"]
GATEWAY = " (gateway)"  # a row of the Launchpad entrance: the same URL with the gateway's bearer token
DEMO_ASSETS = 28  # acme's assets in the emulator's demo seed


@dataclass
class Result:
    url: str
    rps: float
    p50_ms: float
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
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
    )
    return shutil.which("wrk") or sys.exit("wrk is not installed and could not be installed")


def wait_for(url: str, process: subprocess.Popen, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            log_path = getattr(process, "log_path", None)
            log = Path(log_path).read_text(errors="replace")[-2000:] if log_path else ""
            sys.exit(f"{process.args!r} exited while starting:\n{log}")
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still starting its workers
            time.sleep(0.3)
    sys.exit(f"{url} did not answer in {deadline} s")


class Stack:
    """The emulator and gunicorn (bench URLconf) on free ports, in a temporary directory."""

    def __init__(self, workdir: Path, database_url: str, redis_url: str, workers: int) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []
        self.emulator_port, self.app_port = free_port(), free_port()
        self.env = {
            **{
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("DJANGO_", "MINDSPHERE_", "EMULATOR_"))
            },
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "0",
            "SECRET_KEY": STRONG_KEY,
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'app.sqlite3'}",
            "REDIS_URL": redis_url,
            "CELERY_BROKER_FOLDER": str(workdir / "broker"),
            "CELERY_BEAT_SCHEDULE_FILENAME": str(workdir / "beat"),
            # The app's MindSphere URLs and the emulator's registered callback follow these two.
            "APP_PORT": str(self.app_port),
            "EMULATOR_PORT": str(self.emulator_port),
            "EMULATOR_DATABASE_URL": f"sqlite:///{workdir / 'emulator.sqlite3'}",
            "EMULATOR_FAST_PASSWORD_HASHER": "1",
            "WEB_CONCURRENCY": str(workers),
            "LOG_LEVEL": "WARNING",
            "OAUTHLIB_INSECURE_TRANSPORT": "1",
            # Both entrances in one deployment, as in production with a Launchpad registration.
            "MINDSPHERE_GATEWAY_SIGN_IN": "1",
            "CSRF_TRUSTED_ORIGINS": "http://127.0.0.1:8002",  # the emulated gateway's (sso.W002)
        }

    def run(self, *command: str) -> None:
        subprocess.run(command, cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start(self, *command: str) -> subprocess.Popen:
        log = (self.workdir / f"{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        process.log_path = log.name  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def up(self) -> str:
        self.run(PYTHON, "-m", "emulator", "migrate", "--noinput", "-v0")
        self.run(PYTHON, "-m", "emulator", "seed_demo")
        self.run(PYTHON, "manage.py", "migrate", "--noinput", "-v0")
        self.run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0")
        emulator = self.start(
            PYTHON, "-m", "emulator", "runserver", f"127.0.0.1:{self.emulator_port}", "--noreload", "--skip-checks"
        )
        wait_for(f"http://127.0.0.1:{self.emulator_port}/_emulator/stats", emulator)
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        web = self.start(
            gunicorn,
            "-c",
            "project/gunicorn.py",
            "--bind",
            f"127.0.0.1:{self.app_port}",
            "--access-logfile",
            "/dev/null",
            "project.wsgi",
        )
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


@dataclass
class EmulatorAt:
    """What tests.oauth_client needs of an emulator: its URL."""

    url: str


def gateway_session(base: str, emulator_url: str, tenant: str, email: str) -> tuple[str, str]:
    """A bearer token as MindSphere's gateway forwards it (the emulated gateway's client), and the
    cookie of the app session its first request began: what every request of the Launchpad entrance carries."""
    from tests import oauth_client

    # The emulator speaks http on loopback; oauthlib refuses that unless told (the test suite's
    # conftest says so for the tests, `make bench` must say it for itself).
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    emulator = EmulatorAt(emulator_url)
    authorization = oauth_client.authorize(
        emulator,  # type: ignore[arg-type]
        tenant,
        email,
        client_id="gateway",
        # the emulated gateway's registered callback (any loopback port is accepted as it)
        redirect_uri=f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8002')}/_gateway/callback",
    )
    token = oauth_client.exchange(emulator, tenant, authorization, client_secret="gateway-local-secret")  # type: ignore[arg-type]
    bearer = f"Bearer {token['access_token']}"
    with requests.Session() as http:
        http.get(base + "/", headers={"Authorization": bearer}, timeout=30).raise_for_status()
        cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    return bearer, cookie


def wrk(wrk_path: str, url: str, cookie: str, seconds: int, connections: int, headers: dict[str, str]) -> Result:
    threads = min(2, connections)
    command = [
        wrk_path,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-H",
        f"Cookie: {cookie}",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return parse_wrk(url, subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout)


def _milliseconds(output: str, percentile: str) -> float:
    found = re.search(rf"\b{percentile}%\s+([\d.]+)(us|ms|s)\b", output)
    return float(found.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[found.group(2)] if found else float("nan")


def _match(pattern: str, text: str) -> re.Match[str]:
    match = re.search(pattern, text)
    if match is None:
        raise ValueError(f"no {pattern!r} in {text[:200]!r}")
    return match


def parse_wrk(url: str, output: str) -> Result:
    """req/s, p50, p99 and non-2xx/3xx answers from wrk's --latency report."""
    rps = float(_match(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Result(
        url, rps, _milliseconds(output, "50"), _milliseconds(output, "99"), int(errors.group(1)) if errors else 0
    )


def asset_urls(browser: requests.Session, base: str) -> list[str]:
    page = browser.get(base + "/assets/", timeout=30).text
    asset = _match(r'href="/assets/([^/"]+)/"', page).group(1)
    return [f"/assets/{asset}/?range={key}" for key in ("24h", "7d", "30d")]


def add_assets(emulator: str, total: int) -> None:
    """Up to `total` assets in acme, through the emulator's test control (as Asset Manager would)."""
    aspects = [
        {"name": "PumpData", "variables": [{"name": "pressure", "unit": "bar"}, {"name": "flow", "unit": "l/min"}]}
    ]
    with requests.Session() as http:
        for number in range(DEMO_ASSETS, total):
            spec = {
                "tenant": "acme",
                "assetId": f"bench{number:05d}",
                "name": f"Bench pump {number:04d}",
                "aspects": aspects,
            }
            http.post(f"{emulator}/_emulator/assets", json=spec, timeout=30).raise_for_status()


class Bench:
    """One run: the stack up, a demo admin signed in, wrk against each URL."""

    def __init__(self, stack: Stack, base: str, args: argparse.Namespace, wrk_path: str) -> None:
        self.stack, self.base, self.args, self.wrk_path = stack, base, args, wrk_path
        self.browser = sign_in(base, "acme", "admin@acme.example")
        self.cookie = "; ".join(f"{name}={value}" for name, value in self.browser.cookies.items())
        # The same person through the Launchpad entrance: a bearer token on every request (docs/launchpad.md).
        emulator = f"http://127.0.0.1:{stack.emulator_port}"
        self.bearer, self.gateway_cookie = gateway_session(base, emulator, "acme", "admin@acme.example")

    def measure(
        self,
        url: str,
        label: str = "",
        connections: int | None = None,
        seconds: int | None = None,
        *,
        gateway: bool = False,
    ) -> Result:
        headers = {"HX-Request": "true"} if url == CHECK else {}
        if gateway:
            headers["Authorization"] = self.bearer
        result = wrk(
            self.wrk_path,
            self.base + url,
            self.gateway_cookie if gateway else self.cookie,
            seconds or self.args.seconds,
            connections or self.args.connections,
            headers,
        )
        result.url = label or url
        return result

    def table(self) -> list[Result]:
        urls = self.args.urls or [
            CHECK,
            *ROLE_HOMES,
            "/account/",
            "/assets/",
            *asset_urls(self.browser, self.base),
            "/manage/roles/",
        ]
        results = [self.measure(url) for url in [*REFERENCES, *urls]]
        # The Launchpad entrance: the check and the role homes with the gateway's bearer token.
        return results + [
            self.measure(url, f"{url}{GATEWAY}", gateway=True) for url in [CHECK, *ROLE_HOMES] if url in urls
        ]

    def latency(self) -> list[Result]:
        """The asset pages one request at a time: their p50 is what a person waits."""
        return [self.measure(url, f"{url} (1 conn)", connections=1) for url in asset_urls(self.browser, self.base)]

    def growth(self) -> list[Result]:
        """The check with more token records in the database, the asset list with more assets."""
        results = []
        for total in self.args.records:
            self.stack.run(PYTHON, "-m", "bench.seed", "records", str(total))
            results += [
                self.measure("/bench/signed-in/", f"/bench/signed-in/ ({total:,} records)"),
                self.measure(CHECK, f"{CHECK} ({total:,} records)"),
            ]
        if self.args.assets:
            add_assets(f"http://127.0.0.1:{self.stack.emulator_port}", self.args.assets)
            for url in ("/assets/", "/assets/?q=pump"):
                results.append(self.measure(url, f"{url} ({self.args.assets:,} assets)"))
        return results


def run_once(label: str, args: argparse.Namespace, database_url: str, redis_url: str, wrk_path: str) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        stack = Stack(Path(workdir), database_url, redis_url, args.workers)
        try:
            bench = Bench(stack, stack.up(), args, wrk_path)
            results = bench.table()
            if not args.urls:
                results += bench.latency() + bench.growth()
        finally:
            stack.down()
    print_table(label, results)
    print_targets(results, cache_sessions=bool(redis_url))
    return results


def print_table(label: str, results: list[Result]) -> None:
    anonymous, signed_in = results[0].rps, results[1].rps
    print(f"\n{label}")
    print(f"{'URL':58} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x anon':>7} {'x signed-in':>12} {'errors':>7}")
    for result in results:
        print(
            f"{_short(result.url)[:58]:58} {result.rps:8.1f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} {result.rps / anonymous:7.2f} "
            f"{result.rps / signed_in:12.2f} {result.errors:7d}"
        )


def _short(url: str) -> str:
    return re.sub(r"^/assets/[^/?]+/\?", "/assets/<id>/?", url)


def print_targets(results: list[Result], *, cache_sessions: bool) -> None:
    """The targets (docs/performance.md), met or not: ratios, since absolute numbers vary from machine to machine."""
    found = {result.url: result for result in results}
    anonymous, signed_in = found[REFERENCES[0]].rps, found[REFERENCES[1]].rps
    targets = []
    if CHECK in found:
        targets.append((f"{CHECK} >= 0.95x signed-in", found[CHECK].rps / signed_in, 0.95))
        if cache_sessions:
            targets.append((f"{CHECK} >= 0.8x anonymous (cache sessions)", found[CHECK].rps / anonymous, 0.8))
        # Not one of the targets: how close the check is to a view that only reads the session.
        targets.append((f"{CHECK} >= 0.9x session-only view", found[CHECK].rps / found[REFERENCES[2]].rps, 0.9))
    targets += [(f"{home} >= 0.8x signed-in", found[home].rps / signed_in, 0.8) for home in ROLE_HOMES if home in found]
    # The Launchpad entrance against the same URL on the phone entrance, in the same run.
    targets += [
        (f"{url}{GATEWAY} >= 0.9x {url}", found[url + GATEWAY].rps / found[url].rps, 0.9)
        for url in [CHECK, *ROLE_HOMES]
        if url in found and url + GATEWAY in found
    ]
    for label, ratio, floor in targets:
        print(f"  {'met    ' if ratio >= floor else 'NOT MET'}  {label}: {ratio:.2f}")
    # Not targets: the floors the targets are measured against.
    layout = found[REFERENCES[3]].rps
    print(f"  info     the signed-in layout with no content (floor of every page): {layout / signed_in:.2f}x signed-in")
    print(
        f"  info     reading the session and nothing else (floor of the check): {found[REFERENCES[2]].rps / anonymous:.2f}x anonymous"
    )
    for result in results:
        if result.url.endswith("(1 conn)") and "range=24h" not in result.url:
            met = "met    " if result.p50_ms <= 300 else "NOT MET"
            print(f"  {met}  {_short(result.url).split(' ')[0]} p50 <= 300 ms: {result.p50_ms:.0f} ms")


def local_services() -> tuple[str, str]:
    """PostgreSQL and Redis on this machine, when they answer: a bench database and Redis DB 12."""
    database_url = redis_url = ""
    try:
        import psycopg

        with psycopg.connect(
            "postgres://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=2
        ) as admin:
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
    parser.add_argument("--urls", nargs="*", help="only these app URLs (the references always run; no growth section)")
    parser.add_argument(
        "--records", nargs="*", type=int, default=[10_000, 100_000], help="token records for the check's growth rows"
    )
    parser.add_argument(
        "--assets", type=int, default=1000, help="assets in the tenant for the list's growth rows (0: none)"
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip the PostgreSQL and Redis run")
    args = parser.parse_args(argv)
    if args.sqlite_only:
        args.database_url = args.redis_url = ""
    elif args.database_url is None and args.redis_url is None:
        args.database_url, args.redis_url = local_services()
    wrk_path = ensure_wrk()
    print(f"{os.cpu_count()} cores; gunicorn {args.workers} workers; wrk -t2 -c{args.connections} -d{args.seconds}s")
    run_once("SQLite, database sessions", args, "", "", wrk_path)
    if args.database_url or args.redis_url:
        run_once(
            f"{'PostgreSQL' if args.database_url else 'SQLite'}{', Redis cache and sessions' if args.redis_url else ''}",
            args,
            args.database_url,
            args.redis_url,
            wrk_path,
        )


if __name__ == "__main__":
    main()
