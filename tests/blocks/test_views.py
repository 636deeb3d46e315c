"""The blocks that call MindSphere, over real HTTP: the live app signed in through the emulator, whose gateway answers.

Each block's shell is on the page at once; its region comes from /blocks/<name>/ (htmx), with the
data, or its own notice with its status: not found, MindSphere's error, 429, an outage. A block of
another role is not there, and its region answers nothing.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from blocks.catalogue import BLOCKS
from mindsphere.exceptions import MindSphereAPIError
from tests.assets.test_pages import ACME, GLOBEX, PUMP_01, asset_id, names

HTMX = {"HX-Request": "true"}
GLOBEX_PUMP = asset_id("globex", "Globex Pump 01")


def region(browser, app, path: str, target: str = "block-x-1-data"):
    return browser.get(app.url(path), headers={**HTMX, "HX-Target": target}, timeout=30)


@pytest.fixture
def user(app):
    return app.sign_in("acme", "user@acme.example").browser


def test_the_user_home_has_the_asset_list_shell_at_once_and_its_region_loads(app, user):
    home = user.get(app.url("/home/user/")).text
    match = re.search(r'<div id="(block-asset-list-\d+-data)" class="loading[^"]*"[^>]*hx-get="([^"]+)"', home)
    assert match, "no loading region of the asset list on the User home"
    assert 'href="/assets/">Browse your assets</a>' in home  # the way on without JavaScript
    answer = region(user, app, match.group(2).replace("&amp;", "&"), match.group(1))
    assert answer.status_code == 200 and answer.text.lstrip().startswith(f'<div id="{match.group(1)}"')
    assert names(answer.text) == ACME[:5] and "28 assets" in answer.text


def test_the_asset_list_searches_and_says_when_nothing_matches(app, user):
    found = region(user, app, "/blocks/asset_list/?query=Motor&size=2")
    assert names(found.text) == ["Motor 02", "Motor 05"] and "assets match “Motor”" in found.text
    nothing = region(user, app, "/blocks/asset_list/?query=Zeppelin")
    assert nothing.status_code == 200 and "No assets match “Zeppelin”" in nothing.text


def test_latest_values_of_an_aspect(app, user):
    answer = region(user, app, f"/blocks/latest_values/?asset={PUMP_01}&aspect=Environment")
    assert answer.status_code == 200 and "Pump 01" in answer.text
    assert re.search(r"<dt>temperature</dt><dd>-?[\d.]+ °C</dd>", answer.text) and "As of" in answer.text


def test_the_chart_block_is_the_asset_pages_chart(app, user):
    answer = region(user, app, f"/blocks/chart/?asset={PUMP_01}&variable=Environment.temperature&range=7d")
    assert answer.status_code == 200 and "<svg" in answer.text and "Last 7 days" in answer.text
    assert 'id="block-x-1-data-series"' in answer.text and f'href="/assets/{PUMP_01}/?variable=' in answer.text


def test_the_export_block_posts_to_the_assets_export(app, user):
    answer = region(user, app, f"/blocks/export/?asset={PUMP_01}")
    assert f'action="/assets/{PUMP_01}/export/"' in answer.text and "hx-post" not in answer.text
    assert 'name="csrfmiddlewaretoken"' in answer.text


@pytest.mark.parametrize("name", ["latest_values", "chart", "export"])
@pytest.mark.parametrize("asset", ["0" * 32, GLOBEX_PUMP], ids=["unknown", "another-tenants"])
def test_an_asset_not_in_the_tenant_is_the_blocks_own_not_found(app, user, name, asset):
    aspect = "&aspect=Environment" if name == "latest_values" else ""
    answer = region(user, app, f"/blocks/{name}/?asset={asset}{aspect}")
    assert answer.status_code == 404 and answer.headers["HX-Reswap"] == "outerHTML"
    assert "There is no asset with this id in your tenant." in answer.text and "Globex" not in answer.text


def test_an_unknown_variable_or_aspect_is_not_found(app, user):
    assert (
        "no variable “Environment.nothing”"
        in region(user, app, f"/blocks/chart/?asset={PUMP_01}&variable=Environment.nothing").text
    )
    assert "no aspect “Nothing”" in region(user, app, f"/blocks/latest_values/?asset={PUMP_01}&aspect=Nothing").text


def test_a_bad_argument_is_a_400_in_the_blocks_place(app, user):
    answer = region(user, app, f"/blocks/chart/?asset={PUMP_01}&range=1y")
    assert answer.status_code == 400 and "range: Unknown value “1y”" in answer.text


@pytest.mark.parametrize(
    ("mode", "status", "says"),
    [("429", 503, "too many requests"), ("503", 503, "not reachable")],
)
def test_mindsphere_failing_is_said_in_the_blocks_place(app, user, clean_emulator, mode, status, says):
    clean_emulator.fault(mode=mode, target="gateway", tenant="acme", calls=10)
    answer = region(user, app, "/blocks/asset_list/")
    assert answer.status_code == status and answer.headers["HX-Reswap"] == "outerHTML"
    assert says in answer.text.lower() and "Try again" in answer.text
    if status == 503:
        assert int(answer.headers["Retry-After"]) > 0


def test_globex_sees_its_own_assets(app):
    globex = app.sign_in("globex", "admin@globex.example").browser
    assert names(region(globex, app, "/blocks/asset_list/?size=50").text) == GLOBEX


def test_without_javascript_a_region_is_a_page_of_its_own(app, user):
    page = user.get(app.url("/blocks/asset_list/?query=Pump&size=3"), timeout=30)
    assert (
        page.status_code == 200
        and "<nav" in page.text
        and names(page.text) == [name for name in ACME if "Pump" in name][:3]
    )


def test_mindsphere_answering_an_error_is_said_in_the_blocks_place(app, user, monkeypatch):
    # The emulator answers no 500 on its own: the block's function meets one, as from the gateway.
    def failing(request, **arguments):
        raise MindSphereAPIError(500, "Internal Server Error")

    monkeypatch.setitem(BLOCKS, "asset_list", dataclasses.replace(BLOCKS["asset_list"], data=failing))
    answer = region(user, app, "/blocks/asset_list/")
    assert answer.status_code == 502 and answer.headers["HX-Reswap"] == "outerHTML"
    assert "MindSphere answered: Internal Server Error" in answer.text and "Try again" in answer.text
