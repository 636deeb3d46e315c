"""The app's own technical tokens (Token Management Service) against the live emulator: no person, no sso.

Fetched with the app's credentials, cached per user tenant and reused until shortly before expiry
(time-machine), fetched once when many ask at once, renewed when the gateway refuses one, and every
refusal or outage as the exception a caller can tell apart. Never the secret or a token in a log line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache

from mindsphere import technical
from mindsphere.api import MindSphereClient
from mindsphere.exceptions import ProviderUnavailableError, RateLimitedError, TechnicalTokenRefusedError
from mindsphere.technical import IssuedToken, TechnicalTokens, technical_token
from project.logging import RedactingFormatter
from tests.emulator.test_technical_tokens import verified_claims
from tests.servers import Emulator


@pytest.fixture
def gateway(settings, clean_emulator: Emulator) -> Iterator[Emulator]:
    """The emulator's gateway, the app's default (demo) credentials, and no token cached."""
    settings.MINDSPHERE_GATEWAY_URL = clean_emulator.gateway
    cache.clear()
    yield clean_emulator
    cache.clear()


def issued(emulator: Emulator, tenant: str = "acme") -> int:
    return emulator.stats()["tenants"].get(tenant, {}).get("technical_tokens", 0)


def test_a_technical_token_reads_the_tenants_data(gateway):
    before = issued(gateway)
    client = MindSphereClient(TechnicalTokens("acme"), "acme")
    assert client.assets_page(size=5)["page"]["totalElements"] == 28
    claims = verified_claims(gateway, "acme", technical_token("acme"))
    assert claims["grant_type"] == "client_credentials" and claims["ten"] == "acme" and "user_id" not in claims
    assert issued(gateway) == before + 1  # the client's call and the second ask share one token


def test_each_tenant_has_its_own_token(gateway):
    acme, globex = technical_token("acme"), technical_token("globex")
    assert acme != globex
    assert verified_claims(gateway, "globex", globex)["ten"] == "globex"
    assert MindSphereClient(TechnicalTokens("globex"), "globex").assets_page(size=1)["page"]["totalElements"] == 7


def test_the_token_is_reused_until_five_minutes_before_it_expires(gateway):
    before = issued(gateway)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        first = technical_token("acme")
        clock.shift(1800 - 300 - 1)  # the emulator's tokens live 30 minutes
        assert technical_token("acme") == first and issued(gateway) == before + 1
        clock.shift(2)
        second = technical_token("acme")
    assert second != first and issued(gateway) == before + 2


def test_a_short_lived_token_is_renewed_at_half_its_life(gateway):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        technical._store("acme", IssuedToken("short-lived", 60))
        clock.shift(29)
        assert technical_token("acme") == "short-lived"
        clock.shift(2)
        assert technical_token("acme") != "short-lived"


def test_many_asking_at_once_make_one_fetch(gateway):
    before = issued(gateway)
    gateway.fault(mode="hang", target="technical", hang_seconds=1, calls=1)  # the first fetch is slow
    start = threading.Barrier(8)

    def ask(_: int) -> str:
        start.wait(timeout=10)
        return technical_token("acme")

    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(ask, range(8)))
    assert len(set(tokens)) == 1
    assert issued(gateway) == before + 1


def test_a_token_the_gateway_refuses_is_renewed_once(gateway):
    technical._store("acme", IssuedToken("revoked-early", 1800))
    before = issued(gateway)
    assert MindSphereClient(TechnicalTokens("acme"), "acme").assets_page(size=1)["page"]["totalElements"] == 28
    assert issued(gateway) == before + 1 and technical_token("acme") != "revoked-early"


def test_refused_credentials_say_so(gateway, settings):
    settings.MDSP_KEY_STORE_CLIENT_SECRET = "not-the-secret"
    with pytest.raises(TechnicalTokenRefusedError) as refused:
        technical_token("acme")
    assert refused.value.status == 401 and "not-the-secret" not in str(refused.value)


def test_credentials_of_another_app_version_are_refused(gateway, settings):
    settings.MDSP_OS_VM_APP_VERSION = "2.0.0"
    with pytest.raises(TechnicalTokenRefusedError) as refused:
        technical_token("acme")
    assert refused.value.status == 403 and "2.0.0" in refused.value.message


def test_a_tenant_without_the_app_gets_no_token(gateway):
    with pytest.raises(TechnicalTokenRefusedError) as refused:
        technical_token("hooli")
    assert refused.value.status == 403
    assert refused.value.message == "Tenant 'hooli' does not have app 'mobilestarter'."


@pytest.mark.parametrize(("mode", "error"), [("503", ProviderUnavailableError), ("429", RateLimitedError)])
def test_an_outage_or_the_rate_limit_is_a_provider_error(gateway, mode, error):
    gateway.fault(mode=mode, target="technical", calls=1, tenant="acme")
    with pytest.raises(error) as raised:
        technical_token("acme")
    assert raised.value.retry_after is not None
    assert technical_token("acme")  # the next ask gets one: nothing stuck, no lock left behind


def test_unreachable_is_a_provider_error(settings):
    settings.MINDSPHERE_GATEWAY_URL = "http://127.0.0.1:9/gateway"  # nothing listens on the discard port
    cache.clear()
    with pytest.raises(ProviderUnavailableError):
        technical_token("acme")


def test_empty_settings_mean_the_defaults(gateway, settings):
    settings.MDSP_KEY_STORE_CLIENT_ID = settings.MDSP_OS_VM_APP_VERSION = ""
    assert technical_token("acme")


def test_the_cache_holds_the_token_encrypted(gateway):
    token = technical_token("acme")
    entry = cache.get(technical._key("token", "acme"))
    assert token not in str(entry) and token.split(".")[1] not in str(entry)


def test_no_secret_or_token_is_logged(gateway, caplog):
    """Not by this package at any level, and by no library once the app's formatter has written the line."""
    with caplog.at_level(logging.DEBUG):
        token = technical_token("globex")
        MindSphereClient(TechnicalTokens("globex"), "globex").assets_page(size=1)
    ours = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("mindsphere"))
    written = "\n".join(RedactingFormatter().format(record) for record in caplog.records)
    assert "Technical token issued for tenant globex" in ours
    for text in (ours, written):
        assert token not in text and "local-technical-secret" not in text
    assert repr(TechnicalTokens("globex")) == "TechnicalTokens('globex')"
    assert "short" not in repr(IssuedToken("short", 1))
