"""`make lighthouse`: Lighthouse's mobile audit (performance, accessibility, best practices) of the app's pages.

Starts the production stack as `make bench` does (gunicorn with DEBUG off, the emulator; bench/run.py's
Stack), signs demo people in through the real flow, and runs the Lighthouse pinned in this folder's
package-lock.json with Debian's Chromium on each page (audit.mjs), with the person's session cookie
in the browser. Prints a table, writes each page's report and a summary to test-artifacts/lighthouse/, and
exits non-zero when a score is under --minimum (docs/accessibility.md has the figures).

    python tools/lighthouse/run.py [--minimum 95] [--runs 3] [--pages login user-home ...]

Needs Node 20 and `npm ci` in tools/lighthouse (the Makefile target does it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import Stack, sign_in  # noqa: E402  (the bench's startup: one way to start the stack)

LIGHTHOUSE = HERE / "node_modules" / "lighthouse" / "package.json"
REPORTS = ROOT / "test-artifacts" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
# Not the no-role page: it answers 403, and Lighthouse audits only pages that answer 2xx (axe covers it).
PEOPLE = {"admin": "admin@acme.example", "user": "user@acme.example"}


@dataclass(frozen=True)
class Target:
    name: str
    person: str | None  # a key of PEOPLE, or None for an anonymous visit
    path: str


def targets(asset_path: str) -> list[Target]:
    """The pages a phone user sees most: the Login page, each role home, the asset list, an asset page,
    My exports, Account (every page of the menu)."""
    return [
        Target("login", None, "/"),
        Target("admin-home", "admin", "/home/admin/"),
        Target("user-home", "user", "/home/user/"),
        Target("asset-list", "user", "/assets/"),
        Target("asset-page", "user", asset_path),
        Target("exports", "user", "/assets/exports/"),
        Target("account", "user", "/account/"),
    ]


def scores(report: dict) -> dict[str, int]:
    """Each category's score out of 100, as Lighthouse's report shows it (rounded)."""
    return {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}


def median_run(reports: list[dict]) -> dict:
    """The run with the median performance score: one slow run on a busy machine does not decide (Lighthouse's advice)."""
    ordered = sorted(reports, key=lambda report: report["categories"]["performance"]["score"] or 0)
    return ordered[len(ordered) // 2]


def failing_audits(report: dict) -> list[str]:
    """The audits that cost points in accessibility and best practices (and performance metrics under 0.9)."""
    found = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"].get(ref["id"], {})
            score = audit.get("score")
            if ref.get("weight", 0) and score is not None and score < (0.9 if category == "performance" else 1):
                found.append(
                    f"{category}: {audit['id']} ({score}) {audit.get('title', '')} {audit.get('displayValue', '')}".rstrip()
                )
    return found


def lighthouse(url: str, cookie: str, output: Path) -> dict:
    """Lighthouse's default (mobile) audit of `url` through audit.mjs, with `cookie` in the browser's jar."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(["node", str(HERE / "audit.mjs"), url, str(output), cookie], check=True, env=env, cwd=HERE)
    report = json.loads(output.read_text())
    if report["finalDisplayedUrl"] != url:
        # e.g. the session did not reach the page's own requests and it went to the Login page.
        sys.exit(f"{url} ended at {report['finalDisplayedUrl']}: that page was not the one audited")
    return report


def first_asset_path(browser, base: str) -> str:
    page = browser.get(base + "/assets/", timeout=30).text
    found = re.search(r'href="/assets/([^/"]+)/"', page)
    if found is None:
        raise SystemExit("the asset list shows no asset to audit")
    return "/assets/" + found.group(1) + "/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minimum", type=int, default=95, help="exit 1 when any score is under this (default 95)")
    parser.add_argument("--pages", nargs="*", help="only these pages (names as in the table)")
    parser.add_argument("--runs", type=int, default=3, help="audits per page; the median run counts (default 3)")
    args = parser.parse_args(argv)
    if not shutil.which("node"):
        sys.exit("Node.js is not installed (Node 20: apt-get install -y nodejs npm)")
    if not LIGHTHOUSE.exists():
        sys.exit(f"Lighthouse is not installed: cd {HERE.relative_to(ROOT)} && npm ci")
    if not Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium")).exists() and not shutil.which("chromium"):
        sys.exit("Chromium is not installed (apt-get install -y chromium)")

    REPORTS.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, dict[str, int]]] = []
    problems: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as workdir:
        stack = Stack(Path(workdir), "", "", workers=2)
        try:
            base = stack.up()
            browsers = {key: sign_in(base, "acme", email) for key, email in PEOPLE.items()}
            cookies = {key: "; ".join(f"{n}={v}" for n, v in b.cookies.items()) for key, b in browsers.items()}
            for target in targets(first_asset_path(browsers["user"], base)):
                if args.pages and target.name not in args.pages:
                    continue
                runs = [
                    lighthouse(
                        base + target.path, cookies.get(target.person or "", ""), REPORTS / f"{target.name}-{run}.json"
                    )
                    for run in range(1, args.runs + 1)
                ]
                report = median_run(runs)
                rows.append((target.name, scores(report)))
                problems[target.name] = failing_audits(report)
                print(
                    f"{target.name:12} " + "  ".join(f"{name} {value:3d}" for name, value in rows[-1][1].items()),
                    flush=True,
                )
        finally:
            stack.down()

    summary = {
        "lighthouse": "12.2.3",
        "form_factor": "mobile",
        "runs_per_page": args.runs,
        "pages": {name: values for name, values in rows},
        "problems": problems,
    }
    (REPORTS / "summary.json").write_text(json.dumps(summary, indent=2))
    print()
    print(f"| page | {' | '.join(CATEGORIES)} |")
    print(f"| --- | {' | '.join('---:' for _ in CATEGORIES)} |")
    for name, values in rows:
        print(f"| {name} | {' | '.join(str(values[c]) for c in CATEGORIES)} |")
    low = [(name, c, values[c]) for name, values in rows for c in CATEGORIES if values[c] < args.minimum]
    for name, found in problems.items():
        for line in found:
            print(f"  {name}: {line}")
    if low:
        print(f"\nUnder {args.minimum}: " + ", ".join(f"{name} {category} {value}" for name, category, value in low))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
