"""`make loadtest` stays runnable: a tiny run (ten phones, half a minute) of the real harness.

The full load is not for CI; this run checks that phones sign in through the real flow, check,
open pages and refresh, that nobody is signed out, and that the report and its summary line are
written. With --fault postgres it also shows the app's 503s explained by the fault, not failures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from loadtest.stack import ROOT, postgres_bin

pytestmark = [
    pytest.mark.slow,
    pytest.mark.live,
    pytest.mark.postgres,  # it brings its own PostgreSQL, but runs once in CI: in the PostgreSQL pass
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="CI's PostgreSQL pass"),
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("haproxy", "redis-server")) or postgres_bin() is None,
        reason="needs haproxy, redis-server and PostgreSQL's initdb/pg_ctl",
    ),
]
TINY = ["--phones", "8", "--rate", "2", "--seconds", "36", "--check-seconds", "8", "--page-seconds", "12"]
TINY += ["--access-seconds", "130", "--web-concurrency", "1"]  # a token due 10 s after it was issued


def loadtest(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    command = [sys.executable, "-m", "loadtest.run", *TINY, "--out", str(tmp_path), *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    return result, json.loads((tmp_path / "report.json").read_text())


def test_a_tiny_load_run(tmp_path):
    result, report = loadtest(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("loadtest: phones=8 p99_check_ms=") and "unexpected_signouts=0" in last
    assert report["signed_in"] == 8 and report["unexpected_signouts"] == 0 and not report["unexpected"]
    checks = next(row for row in report["urls"] if row["url"] == "/sso/session/")
    assert checks["requests"] >= 8 and checks["failures"] == 0
    refreshes = report["refreshes"]
    assert refreshes["made"] >= 8  # every phone refreshed at least once
    assert refreshes["expected_at_least"] <= refreshes["made"] <= refreshes["expected_at_most"]
    assert (tmp_path / "report.csv").read_text().startswith("url,requests,failures,rps,p50_ms,p95_ms,p99_ms")


def test_a_postgresql_restart_during_the_load_is_explained_not_failed(tmp_path):
    result, report = loadtest(tmp_path, "--fault", "postgres", "--fault-seconds", "6")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert report["fault"]["kind"] == "postgres" and len(report["fault"]["window"]) == 2
    assert report["unexpected_signouts"] == 0 and not report["unexpected"]
    assert set(report["errors"]) <= {"503_app_unavailable"}
