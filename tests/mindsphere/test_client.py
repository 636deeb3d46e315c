"""The mindsphere package on its own: a gateway client with a plain token, against the live emulator.

No sso, no database: the token comes from the emulator's OAuth code flow (tests/oauth_client.py),
as a gateway request or the app's own credentials would give it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from mindsphere.api import MindSphereClient
from mindsphere.assetmanagement import pages
from mindsphere.exceptions import MindSphereAPIError, ProviderTimeoutError, ProviderUnavailableError, RateLimitedError
from mindsphere.gateway import FixedToken
from tests import oauth_client
from tests.servers import Emulator

PUMP_01 = hashlib.md5(b"acme/Pump 01").hexdigest()  # as emulator.demo.asset_id_for
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def acme_token(emulator: Emulator) -> str:
    return oauth_client.sign_in(emulator, "acme", "user@acme.example")["access_token"]


@pytest.fixture
def gateway(settings, emulator: Emulator) -> Iterator[None]:
    """MINDSPHERE_GATEWAY_URL pointed at the emulator, with the {region} placeholder as on MindSphere."""
    settings.MINDSPHERE_REGION = "eu1"
    settings.MINDSPHERE_GATEWAY_URL = emulator.url + "/{region}/gateway"
    yield


class RenewingSource:
    """A token source that starts with a token the gateway refuses and renews to `fresh`."""

    def __init__(self, fresh: str, *, renewed: str | None = None) -> None:
        self.token = "not-a-token-the-gateway-accepts"
        self.renewed_to = renewed or fresh
        self.renewals = 0

    def access_token(self) -> str:
        return self.token

    def renew(self) -> bool:
        self.renewals += 1
        self.token = self.renewed_to
        return True


def test_a_fixed_token_reads_each_api(acme_token, gateway, emulator):
    client = MindSphereClient(FixedToken(acme_token), "acme")
    assert client.gateway_url == emulator.url + "/eu1/gateway"
    assert client.assets_page(size=5)["page"]["totalElements"] == 28
    assets, total = client.first_assets(30, name_contains="Pump")
    assert total == 10 and [asset["name"] for asset in assets] == [f"Pump {n:02d}" for n in range(1, 29, 3)]
    assert client.asset(PUMP_01)["name"] == "Pump 01"
    aspects = {aspect["name"]: aspect for aspect in client.aspects(PUMP_01)}
    assert aspects["Environment"]["category"] == "dynamic"
    records, next_url = client.time_series_page(PUMP_01, "Environment", START, START + timedelta(hours=1))
    assert len(records) == 60 and next_url is None
    pages_of_25 = client.iter_time_series(PUMP_01, "Environment", START, START + timedelta(hours=1), limit=25)
    assert [len(page) for page in pages_of_25] == [25, 25, 10]
    two_hours = START, START + timedelta(hours=2)
    intervals = client.aggregates(PUMP_01, "Environment", *two_hours, interval_unit="hour", interval_value=1)
    assert [item["endtime"] for item in intervals] == ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]


def test_the_calls_name_the_app_and_carry_the_token(acme_token, gateway, settings):
    settings.MINDSPHERE_APP_NAME, settings.MINDSPHERE_APP_VERSION = "otherapp", "2.1.0"
    sent = MindSphereClient(FixedToken(acme_token), "acme").get("api/assetmanagement/v3/assets").request.headers
    assert sent["User-Agent"] == "otherapp/2.1.0" and sent["Authorization"] == f"Bearer {acme_token}"


def test_asset_management_lists_are_read_page_by_page(acme_token, gateway):
    client = MindSphereClient(FixedToken(acme_token), "acme")
    sizes = [len(rows) for rows, _page in pages(lambda number: client.assets_page(page=number, size=10), "assets", 10)]
    assert sizes == [10, 10, 8]


def test_a_401_renews_the_token_once_and_retries(acme_token, gateway):
    source = RenewingSource(acme_token)
    client = MindSphereClient(source, "acme")
    assert client.assets_page(size=1)["page"]["totalElements"] == 28
    assert source.renewals == 1
    assert client.assets_page(size=1)["page"]["totalElements"] == 28
    assert source.renewals == 1  # the renewed token is used from then on


def test_a_401_stands_when_the_renewed_token_is_refused_too(gateway):
    source = RenewingSource("", renewed="still-not-a-token")
    with pytest.raises(MindSphereAPIError) as raised:
        MindSphereClient(source, "acme").assets_page()
    assert source.renewals == 1  # asked once, not in a loop
    assert raised.value.status == 401 and raised.value.message == "The access token is malformed."


def test_a_fixed_token_the_gateway_refuses_is_a_401(gateway):
    with pytest.raises(MindSphereAPIError) as raised:
        MindSphereClient(FixedToken("not-a-token"), "acme").asset(PUMP_01)
    assert raised.value.status == 401


def test_the_token_is_never_sent_outside_the_gateway(gateway):
    class Untouched:
        def access_token(self) -> str:
            raise AssertionError("the token was asked for")

        def renew(self) -> bool:
            raise AssertionError("renew was called")

    client = MindSphereClient(Untouched(), "acme")
    for url in ("https://example.com/api/assetmanagement/v3/assets", client.gateway_url + ".example.com/x"):
        with pytest.raises(MindSphereAPIError) as raised:
            client.get(url)
        assert raised.value.status == 400


def test_an_error_body_gives_the_servers_own_message(acme_token, gateway):
    client = MindSphereClient(FixedToken(acme_token), "acme")
    with pytest.raises(MindSphereAPIError) as raised:  # IoT Time Series: {"id", "message"}
        client.time_series_page(PUMP_01, "Environment", START, START + timedelta(hours=1), select=["nope"])
    assert raised.value.status == 400 and raised.value.message == "Unknown variable(s) in 'select': nope."
    with pytest.raises(MindSphereAPIError) as raised:  # Asset Management: {"errors": [{"message"}]}
        client.asset("no-such-asset")
    assert raised.value.status == 404 and raised.value.message


def test_rate_limit_and_outage_are_exceptions_to_try_again(acme_token, gateway, clean_emulator):
    client = MindSphereClient(FixedToken(acme_token), "acme")
    clean_emulator.fault(mode="429", target="gateway", tenant="acme", calls=1)
    with pytest.raises(RateLimitedError) as limited:
        client.assets_page()
    assert limited.value.retry_after == 2
    clean_emulator.fault(mode="503", target="gateway", tenant="acme", calls=1)
    with pytest.raises(ProviderUnavailableError) as unavailable:
        client.assets_page()
    assert not isinstance(unavailable.value, (RateLimitedError, ProviderTimeoutError))
    assert client.assets_page(size=1)["page"]["totalElements"] == 28


def test_no_answer_in_time_is_a_timeout_not_an_outage(acme_token, gateway, clean_emulator):
    client = MindSphereClient(FixedToken(acme_token), "acme", timeout=1)
    clean_emulator.fault(mode="hang", target="gateway", tenant="acme", hang_seconds=3, calls=2)
    with pytest.raises(ProviderTimeoutError):
        client.assets_page()
    (late,) = client.at_once(lambda: client.asset(PUMP_01))
    assert isinstance(late, ProviderTimeoutError)


def test_at_once_gives_each_calls_value_or_error(acme_token, gateway):
    client = MindSphereClient(FixedToken(acme_token), "acme")
    asset, missing = client.at_once(lambda: client.asset(PUMP_01), lambda: client.asset("no-such-asset"))
    assert asset["name"] == "Pump 01"
    assert isinstance(missing, MindSphereAPIError) and missing.status == 404
