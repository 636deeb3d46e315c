from __future__ import annotations

import pytest

from sso import verification
from tests.app_client import AppClient
from tests.servers import Emulator


def point_app_at(settings, emulator: Emulator) -> None:
    settings.MINDSPHERE_AUTH_URL = emulator.url + "/{tenant}"
    settings.MINDSPHERE_GATEWAY_URL = emulator.url + "/gateway"
    verification.clear_key_cache()


@pytest.fixture
def app(live_server, transactional_db, django_db_serialized_rollback, settings, emulator) -> AppClient:
    """The live app, configured to use the shared emulator.

    Its database is real; serialized rollback restores the roles the data migration made.
    """
    point_app_at(settings, emulator)
    yield AppClient(live_server.url)
    verification.clear_key_cache()


@pytest.fixture
def short_lived(live_server, transactional_db, django_db_serialized_rollback, settings, emulator_factory):
    """Start a private emulator with the given lifetimes and point the live app at it."""

    def start(**env) -> tuple[AppClient, Emulator]:
        server = emulator_factory(**env)
        point_app_at(settings, server)
        return AppClient(live_server.url), server

    yield start
    verification.clear_key_cache()


def session_check(app: AppClient, browser, *, htmx: bool = True):
    headers = {"HX-Request": "true"} if htmx else {}
    return browser.get(app.url("/sso/session/"), headers=headers, allow_redirects=False, timeout=30)
