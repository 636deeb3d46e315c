"""`make bench` stays runnable (docs/performance.md). Timings are printed by the bench, never asserted."""

from __future__ import annotations

import shutil

import pytest

from bench import run

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:1/sso/session/
  2 threads and 8 connections
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    2.31ms
     99%    1.05s
  1234 requests in 1.00s, 100.00KB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1234.56
Transfer/sec:    100.00KB
"""


def test_wrk_report_is_read_in_milliseconds():
    result = run.parse_wrk("/sso/session/", WRK_OUTPUT)
    assert (result.rps, result.p50_ms, result.p99_ms, result.errors) == (1234.56, 0.812, 1050.0, 3)


@pytest.mark.live
def test_the_bench_runs_end_to_end_and_prints_its_table_and_targets(capsys, monkeypatch):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")  # as under `make bench`: the suite's conftest sets it
    if shutil.which("wrk") is None and shutil.which("apt-get") is None:
        pytest.skip("needs Debian's wrk (the bench installs it with apt-get)")
    run.main(["--seconds", "1", "--connections", "2", "--sqlite-only", "--records", "40", "--assets", "30"])
    out = capsys.readouterr().out
    for row in (
        "/bench/anonymous/",
        "/bench/signed-in/",
        "/bench/session/",
        "/bench/layout/",
        "/sso/session/",
        "/home/admin/",
        "/home/user/",
        "/account/",
        "/manage/roles/",
        "range=30d (1 conn)",
        "/sso/session/ (40 records)",
        "/assets/ (30 assets)",
        "/sso/session/ (gateway)",  # the Launchpad entrance: the gateway's bearer token on every request
        "/home/admin/ (gateway)",
        "/home/user/ (gateway)",
    ):
        assert row in out, out
    assert "/sso/session/ (gateway) >= 0.9x /sso/session/" in out
    assert ">= 0.95x signed-in" in out and ">= 0.8x signed-in" in out and "p50 <= 300 ms" in out
    assert "floor of every page" in out and "floor of the check" in out
    rows = [line for line in out.splitlines() if line.startswith("/")]
    assert all(line.split()[-1] == "0" for line in rows), out  # no request failed
