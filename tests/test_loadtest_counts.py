"""The load test's own arithmetic and page reading, without a load (tests/test_loadtest.py runs one)."""

from __future__ import annotations

import pytest

from loadtest.pages import ASSET_LINK, BURST_CHECK_REQUEST, CHECK_REQUEST, EXPORT_REQUEST, PAGE_REQUEST, outcome
from loadtest.run import burst_second, expected_refreshes, steady_check_p99

ACCESS, LEEWAY = 170, 120  # a token falls due 50 s after it was issued
SIGN_IN = [0.0, 1.0, -1, PAGE_REQUEST]


def test_one_refresh_per_expiry_counted_from_the_checks():
    checks = [[t, t + 0.1, 204, CHECK_REQUEST] for t in (30.0, 60.0, 90.0, 120.0)]
    # Due at 51: the check at 60 refreshes (due again at 110), the one at 120 does too.
    assert expected_refreshes([[SIGN_IN, *checks]], ACCESS, LEEWAY) == (2, 2)


def test_an_export_may_add_a_refresh_of_its_worker_and_take_one_from_the_checks():
    requests = [SIGN_IN, [40.0, 40.2, 302, EXPORT_REQUEST], [60.0, 60.1, 204, CHECK_REQUEST]]
    # The phone's check at 60 refreshes, unless the export's worker already did at 51.
    assert expected_refreshes([requests], ACCESS, LEEWAY) == (0, 2)


def test_failed_requests_refresh_nothing():
    requests = [SIGN_IN, [60.0, 60.1, 503, CHECK_REQUEST], [61.0, 61.1, 503, EXPORT_REQUEST]]
    assert expected_refreshes([requests], ACCESS, LEEWAY) == (0, 0)


def test_the_checks_p99_is_the_steady_states_minute_checks_outside_the_burst():
    rush = [[5.0, 9.0, 204, CHECK_REQUEST]]  # during the sign-ins: its own story
    minute = [[100.0 + n, 100.0 + n + 0.01 * (n + 1), 204, CHECK_REQUEST] for n in range(100)]
    burst = [[300.0, 302.0, 204, BURST_CHECK_REQUEST]]  # the burst's own check: its own row
    behind_the_burst = [[301.0, 301.8, 204, CHECK_REQUEST], [320.0, 320.02, 204, CHECK_REQUEST]]
    phones = [rush + minute + burst + behind_the_burst]
    assert steady_check_p99(phones, since=100.0, burst_at=300.0) == 990.0  # the 99th of 10..1000 ms and 20 ms
    assert steady_check_p99(phones, since=100.0, burst_at=300.0, in_burst=True) == 800.0
    assert steady_check_p99([rush], since=100.0) is None


@pytest.mark.parametrize(("steady", "seconds"), [(45, 240), (255, 480), (2005, 2400)])
def test_the_resume_burst_comes_within_the_run_after_every_sign_in(steady, seconds):
    assert steady < burst_second(steady, seconds) < seconds


def test_the_resume_burst_refreshes_like_any_check():
    requests = [SIGN_IN, [60.0, 60.1, 204, BURST_CHECK_REQUEST]]
    assert expected_refreshes([requests], ACCESS, LEEWAY) == (1, 1)


@pytest.mark.live
def test_a_phone_finds_the_assets_in_the_list_and_not_my_exports(app):
    browser = app.sign_in("acme", "user@acme.example").browser
    page = browser.get(app.url("/assets/"), timeout=30)
    assert 'href="/assets/exports/"' in page.text  # the menu links My exports from every page
    found = ASSET_LINK.findall(page.text)
    assert found and all(len(asset) == 32 for asset in found)
    assert browser.get(app.url(f"/assets/{found[0]}/"), timeout=30, allow_redirects=False).status_code == 200


@pytest.mark.live
def test_mindsphere_down_and_the_app_down_are_told_apart(app, clean_emulator, settings):
    """An asset list while MindSphere answers 503 is MindSphere's outage, though its page (like every
    page) holds the lifecycle include's hidden "briefly unavailable" notice; the app's 503 page is its own."""
    from django.template.loader import render_to_string

    browser = app.sign_in("acme", "user@acme.example").browser
    clean_emulator.fault(mode="503", target="gateway", tenant="acme")
    page = browser.get(app.url("/assets/"), timeout=30)
    assert page.status_code == 503 and "briefly unavailable" in page.text
    assert outcome(page, 503, 200) == "503_unavailable"

    class AppDown:
        headers: dict = {}
        text = render_to_string("503.html")

        def json(self):
            raise ValueError

    assert outcome(AppDown(), 503, 200) == "503_app_unavailable"
