"""`make lighthouse` stays runnable (docs/accessibility.md). Cheap: the audit itself is not run here."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parent.parent / "tools" / "lighthouse"


def load_runner():
    spec = importlib.util.spec_from_file_location("lighthouse_run", FOLDER / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_lighthouse_is_pinned_exactly_in_the_lock_file():
    declared = json.loads((FOLDER / "package.json").read_text())["dependencies"]
    locked = json.loads((FOLDER / "package-lock.json").read_text())["packages"]
    assert declared["lighthouse"] == "12.2.3"  # 12.3+ locks break `npm ci`; 13 needs Node 22
    for name, version in declared.items():
        assert locked[f"node_modules/{name}"]["version"] == version, name


def test_the_audit_covers_the_login_page_the_role_homes_the_asset_pages_and_account():
    runner = load_runner()
    pages = {target.name: (target.person, target.path) for target in runner.targets("/assets/x/")}
    assert pages["login"] == (None, "/")
    assert {pages["admin-home"], pages["user-home"]} == {("admin", "/home/admin/"), ("user", "/home/user/")}
    assert pages["asset-list"][1] == "/assets/" and pages["asset-page"][1] == "/assets/x/"
    assert pages["account"][1] == "/account/"


def test_scores_and_what_cost_points_are_read_from_a_report():
    runner = load_runner()
    report = {
        "categories": {
            "performance": {"score": 0.994, "auditRefs": [{"id": "largest-contentful-paint", "weight": 25}]},
            "accessibility": {
                "score": 0.93,
                "auditRefs": [{"id": "aria-allowed-role", "weight": 1}, {"id": "listitem", "weight": 0}],
            },
            "best-practices": {"score": 1, "auditRefs": []},
        },
        "audits": {
            "largest-contentful-paint": {"id": "largest-contentful-paint", "score": 0.95, "title": "LCP"},
            "aria-allowed-role": {
                "id": "aria-allowed-role",
                "score": 0,
                "title": "Uses ARIA roles only on compatible elements",
            },
            "listitem": {"id": "listitem", "score": 0, "title": "not weighted"},
        },
    }
    assert runner.scores(report) == {"performance": 99, "accessibility": 93, "best-practices": 100}
    assert runner.failing_audits(report) == [
        "accessibility: aria-allowed-role (0) Uses ARIA roles only on compatible elements"
    ]


def test_the_node_script_parses_and_finds_its_packages():
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed (make lighthouse needs it)")
    subprocess.run(["node", "--check", str(FOLDER / "audit.mjs")], check=True, timeout=60)
    if not (FOLDER / "node_modules" / "lighthouse").exists():
        pytest.skip("tools/lighthouse is not installed (make lighthouse runs npm ci)")
    script = "for (const name of ['lighthouse', 'puppeteer-core', 'chrome-launcher']) await import(name);"
    subprocess.run(["node", "--input-type=module", "-e", script], check=True, cwd=FOLDER, timeout=60)


def test_the_median_run_counts():
    runner = load_runner()
    reports = [{"categories": {"performance": {"score": score}}, "run": n} for n, score in enumerate([0.99, 0.81, 1.0])]
    assert runner.median_run(reports)["run"] == 0
