"""The asset pages' shell: at once without MindSphere for a browser with scripts, the data by htmx.

Over real HTTP against the live app and the emulator, whose gateway can be made to fail.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from mindsphere.api import MindSphereClient
from tests.assets.test_pages import ACME, PUMP_01, failing, get, names

WITH_SCRIPTS = {"tz": "Europe/Berlin"}  # what static/js/local-time.js sets: the browser runs the app's scripts


def htmx_for(region: str) -> dict:
    return {"HX-Request": "true", "HX-Target": region, "HX-Current-URL": "http://testserver/assets/"}


def loader_url(html: str, region: str) -> str:
    match = re.search(rf'<div id="{region}" class="loading[^"]*" data-mindsphere-load[^>]*hx-get="([^"]+)"', html)
    assert match, f"no loading region {region}"
    return unescape(match.group(1))


@pytest.fixture
def scripted_user(app):
    browser = app.sign_in("acme", "user@acme.example").browser
    browser.cookies.update(WITH_SCRIPTS)
    return browser


def test_the_list_shell_comes_without_calling_mindsphere(app, scripted_user, clean_emulator):
    clean_emulator.fault(mode="503", target="gateway", tenant="acme")  # every gateway call would fail
    response = get(app, scripted_user, "/assets/?q=pump")
    assert response.status_code == 200
    assert names(response.text) == []
    assert loader_url(response.text, "asset-results") == "/assets/?q=pump"
    assert "Still waiting for MindSphere" in response.text and "data-retry-load" in response.text
    assert (
        '<noscript><meta http-equiv="refresh" content="0; url=/assets/?q=pump&amp;wait=1"></noscript>' in response.text
    )
    assert 'value="pump"' in response.text  # the search form is there at once


def test_the_list_region_loads_with_htmx(app, scripted_user):
    response = get(app, scripted_user, "/assets/", headers=htmx_for("asset-results"))
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="asset-results"' in response.text
    assert names(response.text) == ACME[:10] and "28 assets" in response.text
    vary = {header.strip() for header in response.headers["Vary"].split(",")}
    assert {"HX-Request", "HX-Target", "Cookie"} <= vary  # Cookie: the `tz` cookie chooses the shell
    assert "HX-Reswap" not in response.headers


def test_the_list_region_says_when_mindsphere_answers_an_error(app, scripted_user, monkeypatch):
    monkeypatch.setattr(MindSphereClient, "assets_page", failing)
    response = get(app, scripted_user, "/assets/", headers=htmx_for("asset-results"))
    assert response.status_code == 502
    assert response.headers["HX-Reswap"] == "outerHTML"  # swapped all the same (static/js/busy.js)
    assert 'id="asset-results"' in response.text and "The asset list could not be loaded" in response.text


def test_the_list_region_gets_503_while_mindsphere_is_unreachable(app, scripted_user, clean_emulator):
    # Not swapped by htmx: static/js/busy.js shows the region's notice with Retry instead.
    clean_emulator.fault(mode="503", target="gateway", tenant="acme")
    response = get(app, scripted_user, "/assets/", headers=htmx_for("asset-results"))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "HX-Reswap" not in response.headers


@pytest.mark.parametrize("path", ["/assets/?wait=1", "/assets/"])
def test_without_scripts_the_whole_list_comes_at_once(app, path):
    browser = app.sign_in("acme", "user@acme.example").browser  # no tz cookie: never ran the scripts
    if path.endswith("wait=1"):
        browser.cookies.update(WITH_SCRIPTS)  # scripts ran once, but the <noscript> refresh asks for it whole
    response = get(app, browser, path)
    assert response.status_code == 200 and names(response.text) == ACME[:10]
    assert "data-mindsphere-load" not in response.text


def test_the_asset_shell_and_its_body(app, scripted_user):
    path = f"/assets/{PUMP_01}/?variable=PumpData.pressure&range=7d"
    shell = get(app, scripted_user, path)
    assert shell.status_code == 200 and "Pump 01" not in shell.text
    assert loader_url(shell.text, "asset-body") == path
    body = get(app, scripted_user, path, headers=htmx_for("asset-body"))
    assert body.status_code == 200 and "<html" not in body.text
    assert body.text.lstrip().startswith("<title>Pump 01 – Assets")  # htmx sets the page's title from it
    assert ">Pump 01</h1>" in body.text and '<div id="series"' in body.text and "<svg" in body.text
    assert "times in Europe/Berlin" in body.text and "Time (Europe/Berlin)" in body.text


def test_a_new_choice_gets_only_the_chart(app, scripted_user):
    response = get(
        app, scripted_user, f"/assets/{PUMP_01}/?variable=PumpData.flow&range=24h", headers=htmx_for("series")
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="series"')
    assert "<h1" not in response.text and "Export CSV" not in response.text
    assert "PumpData.flow" in response.text and "<svg" in response.text


def test_an_unknown_asset_fills_the_region_with_the_error(app, scripted_user):
    response = get(app, scripted_user, "/assets/no-such-asset/", headers=htmx_for("asset-body"))
    assert response.status_code == 404 and response.headers["HX-Reswap"] == "outerHTML"
    assert "Asset not found" in response.text and 'id="asset-body"' in response.text


def test_the_asset_page_form_updates_the_chart_with_htmx_and_keeps_the_url(app, scripted_user):
    body = get(app, scripted_user, f"/assets/{PUMP_01}/", headers=htmx_for("asset-body")).text
    form = re.search(r'<form method="get"[^>]*class="series-form"[^>]*>', body).group(0)
    for attribute in (
        'hx-trigger="change"',
        'hx-target="#series"',
        'hx-push-url="true"',
        f'hx-get="/assets/{PUMP_01}/"',
    ):
        assert attribute in form
    assert 'class="button primary no-js-only"' in body  # Show: for browsers without scripts


@pytest.mark.parametrize(
    ("region", "query", "message"),
    [
        ("series", "variable=PumpData.nope", "Unknown variable “PumpData.nope”"),  # an edited <select>
        ("series", "range=1y", "Unknown range “1y”"),
        ("asset-body", "variable=PumpData.nope", "Unknown variable “PumpData.nope”"),
    ],
)
def test_a_bad_choice_in_a_region_says_so_in_the_region(app, scripted_user, region, query, message):
    response = get(app, scripted_user, f"/assets/{PUMP_01}/?{query}", headers=htmx_for(region))
    assert response.status_code == 400 and response.headers["HX-Reswap"] == "outerHTML"  # in the region's place
    assert "<html" not in response.text and f'id="{region}"' in response.text
    assert message in unescape(response.text)
