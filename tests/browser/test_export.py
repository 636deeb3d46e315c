"""A person on a phone exports CSV: the progress bar fills up through htmx polling, then the download."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.celery_worker import needs_redis

PUMP = hashlib.md5(b"acme/Pump 01").hexdigest()


@needs_redis
def test_progress_bar_reaches_100_and_the_file_downloads(
    page: Page, app, start_worker, app_publishes_to_redis, clean_emulator
):
    start_worker()
    # Slow pages (0.3 s each) so the bar is seen moving on the way to 100 %.
    clean_emulator.fault(mode="hang", target="gateway", hang_seconds=0.3, calls=20, tenant="acme")
    sign_in(page, app, "acme", "user@acme.example")
    page.goto(app.url(f"/assets/{PUMP}/"))
    today = date.today()
    page.get_by_label("Data").select_option("Environment")
    page.get_by_label("From (UTC)").fill((today - timedelta(days=6)).isoformat())
    page.get_by_label("To (UTC, inclusive)").fill(today.isoformat())
    page.get_by_role("button", name="Export CSV").click()

    progress = page.locator("#exports progress").first
    expect(progress).to_be_visible()
    seen: set[int] = set()
    download_link = page.get_by_role("link", name="Download CSV")
    for _ in range(300):
        seen.add(int(progress.get_attribute("value")))
        if download_link.count():
            break
        page.wait_for_timeout(100)
    expect(progress).to_have_attribute("value", "100", timeout=30_000)
    assert len(seen) >= 2, f"the bar never moved: {seen}"
    screenshot(page, "export-done-360")

    with page.expect_download() as info:
        download_link.click()
    content = open(info.value.path(), encoding="utf-8").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["_time", "temperature", "humidity"]
    assert len(rows) > 6 * 24 * 60  # six full days and today so far, one row a minute
