"""The chosen variable's latest value above the chart, with its unit, time and quality (#24 item 6):
IoT Time Series' latest record, fetched with the chart, over real HTTP from the emulator."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import pytest

from emulator.timeseries import quality_at, severity, value_at
from mindsphere.api import MindSphereClient
from mindsphere.exceptions import ProviderUnavailableError
from tests.assets.test_pages import get

PUMP = hashlib.md5(b"acme/Pump 01").hexdigest()
MOTOR = hashlib.md5(b"acme/Motor 02").hexdigest()
LATEST = re.compile(
    r'<p class="latest" id="latest-value">.*?<strong class="latest-number">([^<]+)</strong>.*?'
    r'<time datetime="([^"]+)">.*?<span class="quality quality-(\w+)">([^<]+)</span>',
    re.S,
)


@pytest.fixture
def acme_user(app):
    return app.sign_in("acme", "user@acme.example").browser


@pytest.mark.parametrize(
    ("asset", "variable", "unit", "quality_code", "named"),
    [
        (PUMP, "Environment.temperature", "°C", False, True),
        (PUMP, "Environment.temperature", "°C", False, False),  # the default variable: fetched after the asset
        (MOTOR, "MotorData.current", "A", True, True),
    ],
)
def test_the_latest_value_is_the_emulators_with_unit_time_and_quality(
    app, acme_user, asset, variable, unit, quality_code, named
):
    # Named in the URL: fetched with the asset; else once the asset's variables are known.
    query = f"?variable={variable}&range=7d" if named else ""
    page = get(app, acme_user, f"/assets/{asset}/{query}")
    assert page.status_code == 200
    found = LATEST.search(page.text)
    assert found, "no latest value above the chart"
    number, moment, quality, quality_text = found.groups()
    assert page.text.index('id="latest-value"') < page.text.index('class="chart"')
    when = datetime.fromisoformat(moment)
    name = variable.split(".")[1]
    assert number == f"{round(value_at(asset, name, when), 3):.3f} {unit}"
    expected = severity(quality_at(asset, name, when)) if quality_code else "good"
    assert quality == expected and quality_text == f"{expected} quality"


def test_the_chart_stays_when_the_latest_value_fails(app, acme_user, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ProviderUnavailableError("gateway answered 503")

    # The live server runs in this process, so patching the client class reaches its requests.
    monkeypatch.setattr(MindSphereClient, "latest_record", unreachable)
    page = get(app, acme_user, f"/assets/{PUMP}/?variable=Environment.temperature")
    assert page.status_code == 200 and 'class="chart"' in page.text
    assert 'id="latest-value"' not in page.text
