"""`make loadtest` (`python -m loadtest.run`): phones on the production stack, optionally with a fault.

Starts the stack (loadtest/stack.py) on loopback, runs Locust headless (loadtest/locustfile.py)
for a bounded number of phones, spawn rate and time, applies a fault mid-run if asked, and writes
report.json and report.csv to --out. Its last line is the summary:

    loadtest: phones=… p99_check_ms=… p99_check_in_burst_ms=… errors=… unexpected_signouts=… phones_per_core=…

It exits 1 when a request failed unexpectedly (outside a fault's window, or of a kind the fault
does not explain) or anyone was signed out. docs/performance.md says what the numbers mean.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from loadtest.pages import BURST_CHECK_REQUEST, CHECK_REQUEST, EXPORT_REQUEST
from loadtest.stack import ROOT, Stack, StackOptions, cpu_seconds

P99_LIMIT_MS = 250
APP_PARTS = ("a", "b")
# What each fault may cost, by the kinds loadtest/locustfile.py counts, within its window (+ GRACE).
FAULT_KINDS = {
    "none": set(),
    "instance": {"connection", "status_502", "status_503", "status_504"},  # requests in flight on the killed one
    "redis": set(),  # sessions are in the database too: nothing
    "postgres": {"503_app_unavailable"},
    "emulator": {"503_unavailable", "status_502"},  # refreshes and API pages, never the valid check
}
GRACE = 15  # seconds after a fault ends in which its kinds still count as expected


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtest.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=200, help="simulated phones (default 200; documented run: 10000)")
    # 5: one emulator process signs in about 10 phones a second with all of this machine's 2 cores,
    # and then the sign-in rush, not the app, sets the latencies.
    parser.add_argument("--rate", type=float, default=5, help="phones signing in per second (default 5)")
    parser.add_argument("--seconds", type=int, default=240, help="length of the run, sign-ins included (default 240)")
    parser.add_argument("--emulators", type=int, default=1, help="emulator processes behind HAProxy (default 1)")
    parser.add_argument("--web-concurrency", type=int, default=2, help="gunicorn workers per app instance (default 2)")
    # 4, not make serve's 1: with one thread a page waiting on MindSphere holds a whole worker, and the
    # checks queued behind it put the check's p99 near a second with the app almost idle.
    parser.add_argument("--threads", type=int, default=4, help="GUNICORN_THREADS per worker (default 4)")
    parser.add_argument("--leeway", type=int, default=120, help="MINDSPHERE_TOKEN_LEEWAY (default 120)")
    parser.add_argument(
        "--access-seconds", type=int, default=0, help="access token lifetime (default: leeway + 50, a refresh a minute)"
    )
    parser.add_argument("--check-seconds", type=float, default=60, help="a phone's check interval (default 60)")
    parser.add_argument("--page-seconds", type=float, default=180, help="mean time between pages (default 180)")
    parser.add_argument("--export-share", type=float, default=0.05, help="share of asset pages that export (0.05)")
    parser.add_argument("--burst-share", type=float, default=0.3, help="share of phones in the resume burst (0.3)")
    parser.add_argument("--fault", choices=sorted(FAULT_KINDS), default="none", help="a fault mid-run")
    parser.add_argument("--fault-seconds", type=float, default=15, help="how long the fault lasts (default 15)")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "loadtest", help="report directory")
    args = parser.parse_args(argv)
    if args.phones < 1 or args.rate <= 0 or args.seconds < 10:
        parser.error("--phones >= 1, --rate > 0 and --seconds >= 10")
    args.access_seconds = args.access_seconds or args.leeway + 50
    return args


class Fault:
    """A fault applied from a thread at `at` seconds into the run, lasting `seconds`; its window, measured."""

    def __init__(self, stack: Stack, kind: str, at: float, seconds: float) -> None:
        self.stack, self.kind, self.at, self.seconds = stack, kind, at, seconds
        self.window: list[float] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        if self.kind != "none":
            self.thread.start()

    def _run(self) -> None:
        time.sleep(self.at)
        start = time.time()
        stack = self.stack
        if self.kind == "instance":
            stack.processes.kill("a")
            time.sleep(self.seconds)
            stack.start_instance("a")
        elif self.kind == "redis":
            stack.redis.restart()  # its data lost
        elif self.kind == "postgres":
            stack.postgres.stop()
            time.sleep(self.seconds)
            stack.postgres.start()
        elif self.kind == "emulator":
            stack.stop_emulators()
            time.sleep(self.seconds)
            stack.start_emulators()
        self.window = [start, time.time()]

    def join(self) -> None:
        if self.thread.is_alive() or self.thread.ident is not None:
            self.thread.join()


def cpu_by_part(stack: Stack) -> dict[str, float]:
    return {name: cpu_seconds(pids) for name, pids in stack.pids().items()}


def locust(stack: Stack, args: argparse.Namespace, out: Path, burst_at: float) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "LOADTEST_CHECK_SECONDS": str(args.check_seconds),
        "LOADTEST_PAGE_SECONDS": str(args.page_seconds),
        "LOADTEST_EXPORT_SHARE": str(args.export_share),
        "LOADTEST_BURST_AT": str(burst_at),
        "LOADTEST_BURST_SHARE": str(args.burst_share),
        "LOADTEST_COUNTERS": str(out / "phones.json"),
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
        "--users", str(args.phones), "--spawn-rate", str(args.rate), "--run-time", f"{args.seconds}s",
        "--host", stack.url, "--csv", str(out / "locust"), "--stop-timeout", "10", "--only-summary",
        "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    with (out / "locust.log").open("w") as log:
        return subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)


def url_rows(out: Path) -> list[dict]:
    """Locust's per-URL figures: requests, failures, requests/s, p50/p95/p99 (ms)."""
    rows = []
    with (out / "locust_stats.csv").open() as stats:
        for row in csv.DictReader(stats):
            rows.append(
                {
                    "url": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": round(float(row["Requests/s"]), 2),
                    "p50_ms": _number(row["50%"]),
                    "p95_ms": _number(row["95%"]),
                    "p99_ms": _number(row["99%"]),
                }
            )
    return rows


def _number(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def expected_refreshes(phones: list[list[list[float]]], access: int, leeway: int) -> tuple[int, int]:
    """How many refreshes the phones' requests should have made: (at least, at most).

    A token is due `access - leeway` seconds after it was issued; the first request after that which
    runs the token check refreshes it (one per person per expiry, whichever instance serves it).
    The session check always does; a page may (API and privileged pages) or not (a plain home), and
    a request in flight when its token fell due may or may not: "at least" counts only session
    checks sent surely after the due time, "at most" any request answered after it. Made within
    the two: no refresh was repeated (across instances) and none was missed.
    """
    due_after = access - leeway
    at_least = at_most = exports = 0
    for requests in phones:
        late_due = early_due = None
        for sent, answered, status, kind in requests:
            if status == -1:  # the sign-in: a new token
                late_due, early_due = answered + due_after + 1, sent + due_after - 1
                continue
            if late_due is None or early_due is None or not 200 <= status < 400:
                continue  # a 503 refreshed nothing; a sign-out is counted elsewhere
            exports += kind == EXPORT_REQUEST
            if kind in (CHECK_REQUEST, BURST_CHECK_REQUEST) and sent > late_due:
                at_least += 1
                late_due = answered + due_after + 1
            if answered >= early_due:
                at_most += 1
                early_due = sent + due_after - 1
    # An export's worker refreshes the person's token when it falls due during the export
    # (assets/tasks.py), out of the phone's sight: one more refresh at most, one fewer by the checks.
    return max(0, at_least - exports), at_most + exports


def judge(outcomes: list[list], fault: Fault) -> tuple[Counter, Counter]:
    """The failures by kind: (all, unexpected). A fault explains its kinds within its window + GRACE."""
    every: Counter[str] = Counter()
    unexpected: Counter[str] = Counter()
    start, end = (fault.window or [0, 0])[0], (fault.window or [0, 0])[-1] + GRACE
    for moment, kind, _name, _status in outcomes:
        every[kind] += 1
        if not (kind in FAULT_KINDS[fault.kind] and start <= moment <= end):
            unexpected[kind] += 1
    return every, unexpected


def run(args: argparse.Namespace) -> dict:
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    options = StackOptions(
        emulators=args.emulators,
        web_concurrency=args.web_concurrency,
        threads=args.threads,
        access_seconds=args.access_seconds,
        leeway=args.leeway,
        people=args.phones,
    )
    with tempfile.TemporaryDirectory(prefix="loadtest-") as workdir, Stack(Path(workdir), options) as stack:
        spawn = args.phones / args.rate
        steady = min(args.seconds - 5, spawn + 5)  # when every phone has signed in
        started = time.time()
        fault = Fault(
            stack, args.fault, at=(steady + args.seconds) / 2 - args.fault_seconds / 2, seconds=args.fault_seconds
        )
        burst_at = started + burst_second(steady, args.seconds) if args.burst_share > 0 else 0
        cpu: dict[str, dict[str, float]] = {"start": cpu_by_part(stack)}
        marks = threading.Thread(target=_mark_cpu, args=(stack, cpu, started + steady), daemon=True)
        fault.start()
        marks.start()
        finished = locust(stack, args, out, burst_at)
        cpu["end"] = cpu_by_part(stack)
        ended = time.time()
        fault.join()
        marks.join()
        refreshes = stack.emulator_stats()["total"].get("refreshes", 0)
    counters = json.loads((out / "phones.json").read_text())
    urls = url_rows(out)
    steady_seconds = ended - (started + steady)
    busy = cores_busy(cpu.get("steady", {}), cpu["end"], steady_seconds)
    whole = cores_busy(cpu["start"], cpu["end"], ended - started)
    app_cores = sum(busy.get(name, 0) for name in APP_PARTS)
    every, unexpected = judge(counters["outcomes"], fault)
    at_least, at_most = expected_refreshes(counters["checks"], args.access_seconds, args.leeway)
    return {
        "phones": args.phones,
        "signed_in": counters["signed_in"],
        "sign_in_failures": counters["sign_in_failures"],
        "seconds": args.seconds,
        "locust_exit": finished.returncode,
        "fault": {"kind": args.fault, "window": [round(moment - started, 1) for moment in fault.window]},
        "urls": urls,
        "errors": dict(every),
        "unexpected": dict(unexpected),
        "unexpected_signouts": every.get("signed_out", 0),
        "refreshes": {"made": refreshes, "expected_at_least": at_least, "expected_at_most": at_most},
        "cpu_cores_busy": busy,  # each part's CPU in cores, once every phone had signed in
        "cpu_cores_busy_whole_run": whole,  # sign-ins included
        "p99_check_ms": steady_check_p99(counters["checks"], started + steady, burst_at),
        "p99_check_in_burst_ms": steady_check_p99(counters["checks"], started + steady, burst_at, in_burst=True),
        "phones_per_core": round(counters["signed_in"] / app_cores) if app_cores else None,
        "emulator_bottleneck": max(
            (max(busy.get(f"emulator-{n}", 0), whole.get(f"emulator-{n}", 0)) for n in range(args.emulators)), default=0
        )
        > 0.8,
    }


BURST_WINDOW_SECONDS = 10  # the resume burst's second and the queue it leaves behind


def burst_second(steady: float, seconds: float) -> float:
    """When the resume burst comes: three quarters into the steady state (after every sign-in)."""
    return steady + (seconds - steady) * 0.75


def steady_check_p99(
    phones: list[list[list[float]]], since: float, burst_at: float = 0, *, in_burst: bool = False
) -> float | None:
    """The p99 in ms of the minute checks sent once every phone had signed in (the steady state, in
    which the CPU is measured too), outside the resume burst's window, or (`in_burst`) inside it:
    the sign-in rush and the burst's own checks are rows of their own."""

    def in_window(sent: float) -> bool:
        return bool(burst_at) and burst_at <= sent < burst_at + BURST_WINDOW_SECONDS

    waits = sorted(
        answered - sent
        for requests in phones
        for sent, answered, status, kind in requests
        if kind == CHECK_REQUEST and sent >= since and in_window(sent) == in_burst
    )
    if not waits:
        return None
    return round(waits[max(0, math.ceil(len(waits) * 0.99) - 1)] * 1000, 1)


def cores_busy(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    """Each part's CPU use between two readings, in cores (a part restarted or whose processes ended
    counts from 0: its processes' earlier CPU is gone with them)."""
    return {name: round(max(0.0, after[name] - before.get(name, 0)) / max(seconds, 1), 3) for name in after}


def _mark_cpu(stack: Stack, cpu: dict, at: float) -> None:
    time.sleep(max(0.0, at - time.time()))
    cpu["steady"] = cpu_by_part(stack)


def write(report: dict, out: Path) -> None:
    (out / "report.json").write_text(json.dumps(report, indent=2))
    with (out / "report.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["url", "requests", "failures", "rps", "p50_ms", "p95_ms", "p99_ms"])
        writer.writeheader()
        writer.writerows(report["urls"])


def summary(report: dict) -> str:
    per_core = report["phones_per_core"]
    p99 = report["p99_check_ms"]
    within = p99 is not None and p99 < P99_LIMIT_MS
    return (
        f"loadtest: phones={report['phones']} p99_check_ms={p99}"
        f" p99_check_in_burst_ms={report.get('p99_check_in_burst_ms')} errors={sum(report['errors'].values())}"
        f" unexpected_signouts={report['unexpected_signouts']} phones_per_core={per_core}"
        + ("" if within else f" (p99 of the check not under {P99_LIMIT_MS} ms)")
    )


def show(report: dict) -> None:
    print(f"{'URL':<34} {'requests':>9} {'fail':>6} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6}")
    for row in report["urls"]:
        print(
            f"{row['url'][:34]:<34} {row['requests']:>9} {row['failures']:>6} {row['rps']:>8} "
            f"{row['p50_ms'] or '-':>6} {row['p95_ms'] or '-':>6} {row['p99_ms'] or '-':>6}"
        )
    print(f"signed in: {report['signed_in']} of {report['phones']} (failures: {report['sign_in_failures']})")
    print(f"errors by kind: {report['errors'] or 'none'}; unexpected: {report['unexpected'] or 'none'}")
    refreshes = report["refreshes"]
    print(
        f"refreshes: {refreshes['made']} made, {refreshes['expected_at_least']}..{refreshes['expected_at_most']} expected"
    )
    print(f"CPU (cores, steady state): {report['cpu_cores_busy']}")
    print(f"CPU (cores, whole run):    {report['cpu_cores_busy_whole_run']}")
    if report["fault"]["kind"] != "none":
        print(f"fault: {report['fault']['kind']} from/to (s into the run): {report['fault']['window']}")
    if report["emulator_bottleneck"]:
        print("note: an emulator process used more than 0.8 core: add --emulators")
    print(summary(report))


def failed(report: dict) -> bool:
    return bool(report["unexpected"]) or report["unexpected_signouts"] > 0 or report["sign_in_failures"] > 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    report = run(args)
    write(report, args.out)
    show(report)
    return 1 if failed(report) else 0


if __name__ == "__main__":
    sys.exit(main())
