"""The asset pages over real HTTP: the live app signed in through the emulator, whose gateway answers."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from emulator.timeseries import value_at
from mindsphere.api import MindSphereClient
from mindsphere.exceptions import MindSphereAPIError
from sso.models import TokenRecord
from tests.tokens import expire_refresh_token

HTMX = {"HX-Request": "true"}
MINUTE = timedelta(minutes=1)
KINDS = ["Pump", "Motor", "Compressor"]
# The emulator's demo assets (emulator/demo.py, which the app can't import: it pulls the emulator's models).
ACME = sorted(f"{KINDS[(n - 1) % 3]} {n:02d}" for n in range(1, 29))
GLOBEX = sorted(f"Globex {KINDS[(n - 1) % 3]} {n:02d}" for n in range(1, 8))


def asset_id(tenant: str, name: str) -> str:
    return hashlib.md5(f"{tenant}/{name}".encode()).hexdigest()  # as emulator.demo.asset_id_for


PUMP_01 = asset_id("acme", "Pump 01")


def names(html: str) -> list[str]:
    return [unescape(name) for name in re.findall(r'class="asset-name">([^<]+)<', html)]


def load_more_url(html: str) -> str | None:
    match = re.search(r'<li class="load-more">\s*<a class="button" href="([^"]+)" hx-get="([^"]+)"', html)
    if match is None:
        return None
    assert match.group(1) == match.group(2)  # the no-JS link and htmx fetch the same URL
    return unescape(match.group(1))


TABLE_ROW = (
    r'<tr><td><time datetime="([^"]+)">[^<]*</time></td><td>([^<]+)</td>(?:<td>([^<]+)</td><td>([^<]+)</td>)?</tr>'
)


def table_rows(html: str) -> list[tuple[datetime, float]]:
    """(time, mean) of each row of the chart's table."""
    return [
        (datetime.fromisoformat(moment), float(value)) for moment, value, _low, _high in re.findall(TABLE_ROW, html)
    ]


def table_band(html: str) -> list[tuple[float, float]]:
    """(minimum, maximum) of each row, for tables made from aggregates."""
    return [(float(low), float(high)) for _moment, _value, low, high in re.findall(TABLE_ROW, html) if low]


def chart_vertices(html: str) -> int:
    match = re.search(r'<path d="M([^"]+)" class="line reactive nofill"', html)
    assert match, "no series line in the chart"
    return len(re.findall(r"-?\d+(?:\.\d+)?", match.group(1))) // 2


def bucket_values(
    asset: str, variable: str, start: datetime, end: datetime, width: int
) -> list[tuple[datetime, list[float]]]:
    """Per bucket, computed here from value_at: (start + k*width, start + (k+1)*width] minutes."""
    total = int((end - start) / MINUTE)
    buckets = []
    for first in range(0, total, width):
        minutes = range(first + 1, min(first + width, total) + 1)
        buckets.append(
            (start + MINUTE * minutes[-1], [value_at(asset, variable, start + MINUTE * minute) for minute in minutes])
        )
    return buckets


def expected_rows(
    asset: str, variable: str, start: datetime, end: datetime, width: int
) -> list[tuple[datetime, float]]:
    return [
        (moment, round(sum(values) / len(values), 3))
        for moment, values in bucket_values(asset, variable, start, end, width)
    ]


@pytest.fixture
def acme_user(app):
    return app.sign_in("acme", "user@acme.example").browser


def get(app, browser, path: str, **kwargs):
    return browser.get(app.url(path), allow_redirects=False, timeout=30, **kwargs)


# --- the list --------------------------------------------------------------------------------------


def test_list_shows_the_first_ten_assets_in_name_order(app, acme_user):
    response = get(app, acme_user, "/assets/")
    assert response.status_code == 200
    assert names(response.text) == ACME[:10]
    assert "28 assets" in response.text
    assert '<label for="asset-q">' in response.text and 'id="asset-q" name="q"' in response.text
    assert f'href="/assets/{asset_id("acme", ACME[0])}/"' in response.text
    assert load_more_url(response.text) == "/assets/?page=1"
    assert 'hx-trigger="click, revealed"' in response.text
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("path", "expected", "next_url"),
    [
        ("/assets/?page=1", ACME[10:20], "/assets/?page=2"),
        ("/assets/?page=2", ACME[20:], None),
        ("/assets/?q=m&page=1", ACME[10:20], "/assets/?q=m&page=2"),  # every name has an "m"
        ("/assets/?q=o&page=1", [name for name in ACME if "o" in name][10:], None),
    ],
)
def test_load_more_with_htmx_returns_the_next_rows_and_a_new_control(app, acme_user, path, expected, next_url):
    response = get(app, acme_user, path, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text and "<li" in response.text  # a fragment of list items
    assert names(response.text) == expected
    assert load_more_url(response.text) == next_url


def test_load_more_without_javascript_shows_the_longer_list(app, acme_user):
    response = get(app, acme_user, "/assets/?page=1")
    assert response.status_code == 200 and "<html" in response.text
    assert names(response.text) == ACME[:20]
    assert load_more_url(response.text) == "/assets/?page=2"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("pump", [name for name in ACME if name.startswith("Pump")]),
        ("PUMP 0", ["Pump 01", "Pump 04", "Pump 07"]),
        ("motor 1", ["Motor 11", "Motor 14", "Motor 17"]),
    ],
)
def test_search_by_name(app, acme_user, q, expected):
    response = get(app, acme_user, f"/assets/?q={quote(q)}")
    assert response.status_code == 200
    assert names(response.text) == expected
    assert load_more_url(response.text) is None  # all of them on the first page
    assert f'value="{q}"' in response.text  # the search field keeps the query


def test_search_without_match_shows_the_empty_state(app, acme_user):
    response = get(app, acme_user, "/assets/?q=zzz")
    assert response.status_code == 200
    assert names(response.text) == []
    assert "No assets match “zzz”" in response.text


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "page=50", "q=" + "x" * 101])
def test_bad_list_parameters_get_the_styled_400(app, acme_user, query):
    response = get(app, acme_user, f"/assets/?{query}")
    assert response.status_code == 400
    assert_styled_400(response.text, retry_url="/assets/")


def assert_styled_400(html: str, retry_url: str) -> None:
    """The app's error page with the menu and a way back to the page's usual choices, not plain text."""
    assert "<h1" in html and "The app did not understand this address" in html
    assert 'aria-label="Main"' in html  # the menu: the person is signed in
    assert f'href="{retry_url}"' in html


# --- tenants and roles ----------------------------------------------------------------------------


def test_globex_sees_only_its_own_assets_and_404_for_acme_ones(app):
    browser = app.sign_in("globex", "admin@globex.example").browser
    listed = get(app, browser, "/assets/")
    assert names(listed.text) == GLOBEX
    assert load_more_url(listed.text) is None
    assert names(get(app, browser, "/assets/?q=pump").text) == ["Globex Pump 01", "Globex Pump 04", "Globex Pump 07"]
    other = get(app, browser, f"/assets/{PUMP_01}/")
    assert other.status_code == 404
    assert "Asset not found" in other.text and "Pump 01" not in other.text
    own = get(app, browser, f"/assets/{asset_id('globex', 'Globex Pump 01')}/")
    assert own.status_code == 200 and "Globex Pump 01" in own.text


@pytest.mark.parametrize("email", ["admin@acme.example", "user@acme.example"])
def test_admins_and_users_open_both_pages(app, email):
    result = app.sign_in("acme", email)
    assert 'href="/assets/"' in result.final.text  # the home page leads to the list (menu and button)
    listed = get(app, result.browser, "/assets/")
    assert listed.status_code == 200 and names(listed.text) == ACME[:10]
    assert 'aria-current="page"' in listed.text.split('href="/assets/"', 1)[1][:40]  # the menu item is active
    detail = get(app, result.browser, f"/assets/{PUMP_01}/")
    assert detail.status_code == 200
    assert ">Pump 01</h1>" in detail.text
    for fact in ("ACME-PUM-001", "acme.Pump", "Munich, Germany", "Pump number 1 in Munich."):
        assert fact in detail.text
    assert "<svg" in detail.text and "<script" not in detail.text.split('class="chart-svg"', 1)[1].split("</figure>")[0]


@pytest.mark.parametrize("path", ["/assets/", f"/assets/{PUMP_01}/"])
def test_anonymous_people_get_the_login_page(app, path):
    browser = app.new_browser()
    response = get(app, browser, path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/" and parse_qs(location.query) == {"next": [path]}
    assert 'name="tenant"' in browser.get(app.url(response.headers["Location"]), timeout=30).text
    assert get(app, browser, path, headers=HTMX).headers["HX-Redirect"] == "/"


# --- the chart ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "range_key", "width", "count"),
    [
        ("Environment.temperature", "24h", 5, 288),
        ("PumpData.pressure", "7d", 60, 168),
        ("PumpData.flow", "30d", 240, 180),
    ],
)
def test_chart_table_holds_the_bucket_means_of_the_emulator_series(app, acme_user, variable, range_key, width, count):
    end = datetime.now(UTC).replace(second=0, microsecond=0) - 7 * MINUTE
    query = f"variable={variable}&range={range_key}&end={end.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    response = get(app, acme_user, f"/assets/{PUMP_01}/?{query}")
    assert response.status_code == 200
    span = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}[range_key]
    if range_key != "24h":  # aggregates: whole intervals of the grid, the last one ending at or before `end`
        end -= (end - datetime(1970, 1, 1, tzinfo=UTC)) % (width * MINUTE)
    expected = expected_rows(PUMP_01, variable.split(".")[1], end - span, end, width)
    assert len(expected) == count
    rows = table_rows(response.text)
    assert [moment for moment, _ in rows] == [moment for moment, _ in expected]
    # The emulator's aggregates sum exactly (fsum), this test naively: the third decimal may differ by one.
    assert all(abs(value - mean) <= 0.0011 for (_, value), (_, mean) in zip(rows, expected, strict=False))
    assert chart_vertices(response.text) == count  # the chart plots the same points
    assert f"mean per {width} minutes" in response.text
    assert (
        datetime.fromisoformat(re.search(r'<time datetime="([^"]+)" id="series-end">', response.text).group(1)) == end
    )
    if range_key != "24h":
        assert response.text.count('class="line reactive nofill"') == 3  # the mean and its min/max band
        # ... and the table has the band's numbers too: the lowest and highest value of each interval.
        band = [
            (round(min(values), 3), round(max(values), 3))
            for _, values in bucket_values(PUMP_01, variable.split(".")[1], end - span, end, width)
        ]
        assert all(
            abs(low - a) <= 0.0011 and abs(high - b) <= 0.0011
            for (low, high), (a, b) in zip(table_band(response.text), band, strict=False)
        )
        assert len(table_band(response.text)) == count and '<th scope="col">Min</th>' in response.text
    else:
        assert table_band(response.text) == [] and '<th scope="col">Min</th>' not in response.text


def test_chart_without_end_uses_now_and_shows_it(app, acme_user):
    response = get(app, acme_user, f"/assets/{PUMP_01}/")  # the first variable, the last 24 hours
    assert response.status_code == 200
    assert '<option value="Environment.temperature" selected>' in response.text
    for choice in ("Environment.humidity", "PumpData.pressure", "PumpData.flow"):
        assert f'<option value="{choice}">' in response.text
    end = datetime.fromisoformat(re.search(r'<time datetime="([^"]+)" id="series-end">', response.text).group(1))
    assert abs(end - datetime.now(UTC)) < timedelta(minutes=2)
    expected = expected_rows(PUMP_01, "temperature", end - timedelta(hours=24), end, 5)
    assert table_rows(response.text) == expected
    permalink = unescape(re.search(r'<a class="permalink" href="([^"]+)"', response.text).group(1))
    assert table_rows(get(app, acme_user, permalink).text) == expected  # the link shows the same numbers


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("variable=PumpData.nope", "Unknown variable “PumpData.nope”"),
        ("variable=MotorData.speed", "Unknown variable “MotorData.speed”"),  # another kind's variable
        ("range=1y", "Unknown range “1y”"),
        ("end=yesterday", "The end must be an ISO 8601 time"),
        ("end=2026-01-01T12:00:00", "The end must be an ISO 8601 time"),  # no time zone
        ("end=0001-01-01T00:00:00%2B01:00", "The end must be an ISO 8601 time"),  # before 1970
        ("end=9999-12-31T23:59:00Z", "The end must be an ISO 8601 time"),  # far ahead
    ],
)
def test_bad_chart_parameters_get_the_styled_400(app, acme_user, query, message):
    response = get(app, acme_user, f"/assets/{PUMP_01}/?{query}")
    assert response.status_code == 400
    assert_styled_400(response.text, retry_url=f"/assets/{PUMP_01}/")
    assert message in response.text


# --- sessions that ended and MindSphere errors ------------------------------------------------------


def expire_session() -> None:
    expire_refresh_token()


@pytest.mark.parametrize("path", ["/assets/?q=pump", f"/assets/{PUMP_01}/?range=7d"])
def test_expired_session_goes_to_the_login_page_with_next(app, acme_user, path):
    expire_session()
    response = get(app, acme_user, path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/" and parse_qs(location.query) == {"next": [path]}
    page = acme_user.get(app.url(response.headers["Location"]), timeout=30)
    assert 'name="tenant"' in page.text and "Your MindSphere session has ended" in page.text


def test_expired_session_during_load_more_gets_hx_redirect(app, acme_user):
    expire_session()
    response = get(app, acme_user, "/assets/?page=1", headers=HTMX)
    assert response.headers["HX-Redirect"] == "/"
    assert TokenRecord.objects.count() == 0


def test_unknown_asset_id_is_a_plain_404_page(app, acme_user):
    response = get(app, acme_user, "/assets/no-such-asset/")
    assert response.status_code == 404
    assert "Asset not found" in response.text and "Traceback" not in response.text
    assert 'href="/assets/"' in response.text


def failing(*args, **kwargs):
    raise MindSphereAPIError(500, "Asset Management is having a bad day.")


@pytest.mark.parametrize(
    ("method", "path", "headers", "status", "text"),
    [
        ("assets_page", "/assets/", {}, 502, "The asset list could not be loaded"),
        (
            "assets_page",
            "/assets/?page=1",
            HTMX,
            502,
            "More assets could not be loaded",
        ),  # a row, in the control's place
        ("asset", f"/assets/{PUMP_01}/", {}, 502, "The asset could not be loaded"),
        ("time_series_page", f"/assets/{PUMP_01}/", {}, 502, "The time series could not be loaded"),
    ],
)
def test_mindsphere_errors_give_a_clear_page(app, acme_user, monkeypatch, method, path, headers, status, text):
    # The live server runs in this process, so patching the client class reaches its requests.
    monkeypatch.setattr(MindSphereClient, method, failing)
    response = get(app, acme_user, path, headers=headers)
    assert response.status_code == status
    assert text in response.text
    assert "Asset Management is having a bad day." in response.text
    assert "Traceback" not in response.text and "MindSphereAPIError" not in response.text
    if method == "time_series_page":
        assert ">Pump 01</h1>" in response.text  # the details still show
