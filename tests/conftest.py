from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sso import verification
from tests.app_client import AppClient
from tests.servers import Emulator, prepare_database, start_emulator

pytest_plugins = ["tests.celery_worker"]

# The emulator speaks plain http on 127.0.0.1; oauthlib refuses non-TLS URLs unless told.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

# A test that uses one of these fixtures, directly or through another, gets the marker, so the fast
# subset (`make test-fast`: not live, not browser) is selectable without a list to keep up to date.
MARKED_BY_FIXTURE = {
    "live": {"emulator", "emulator_factory", "in_emulator", "live_server", "start_worker"},  # starts servers
    "redis": {"celery_redis_url", "app_publishes_to_redis"},  # skipped when Redis at 127.0.0.1:6379 does not answer
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for marker, fixtures in MARKED_BY_FIXTURE.items():
            if used & fixtures:
                item.add_marker(marker)


@pytest.fixture(scope="session", autouse=True)
def static_manifest() -> None:
    """Pages use hashed static names (ManifestStaticFilesStorage), so tests need a collected manifest;
    and the translations compiled, as `make run` and `make serve` do."""
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("compilemessages", "--ignore", ".venv/*", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def private_broker_folder(tmp_path_factory) -> Iterator[None]:
    """Tasks the tests queue on the file-system broker go to a folder of this run, not var/broker,
    where `make run`'s worker would pick them up later."""
    from project.celery import app as celery_app
    from tests.celery_worker import _drop_pools

    conf = celery_app.conf
    if not str(conf.broker_url).startswith("filesystem://"):
        yield
        return
    folder = tmp_path_factory.mktemp("broker")
    (folder / "control").mkdir()
    saved = conf.broker_transport_options
    conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
    }
    _drop_pools()
    yield
    conf.broker_transport_options = saved
    _drop_pools()


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, except that static files come through WhiteNoise as in production.

    pytest-django wraps the app in Django's StaticFilesHandler, which looks files up with the
    finders and so cannot serve the hashed names of the manifest storage the pages use.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1", start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def emulator_template(tmp_path_factory) -> Path:
    """A migrated, seeded emulator database, made once and copied for each emulator started."""
    path = tmp_path_factory.mktemp("emulator-template") / "emulator.sqlite3"
    prepare_database(path)
    return path


@pytest.fixture(scope="session")
def emulator(emulator_template, tmp_path_factory) -> Iterator[Emulator]:
    """The shared emulator (default lifetimes, rotation on). Tests must clear faults they set."""
    server = start_emulator(emulator_template, tmp_path_factory.mktemp("emulator"))
    yield server
    server.stop()


@pytest.fixture
def emulator_factory(emulator_template, tmp_path) -> Iterator[Callable[..., Emulator]]:
    """Start a private emulator with its own environment, e.g. short token lifetimes."""
    started: list[Emulator] = []

    def start(**env: str | int | bool) -> Emulator:
        extra = {key: str(int(value) if isinstance(value, bool) else value) for key, value in env.items()}
        server = start_emulator(emulator_template, tmp_path / f"emulator-{len(started)}", extra)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def clean_emulator(emulator: Emulator) -> Iterator[Emulator]:
    """The shared emulator with no faults set before or after the test."""
    emulator.clear_faults()
    yield emulator
    emulator.clear_faults()


def ensure_default_roles() -> None:
    """The roles' groups and mappings, in case a flush removed them and nothing restored them.

    Serialized rollback restores them normally; the first test after Playwright starts can miss it
    (see tests/browser/conftest.py).
    """
    from navigation.groups import create_role_groups
    from sso.models import ScopeRoleMapping

    if not ScopeRoleMapping.objects.exists():
        create_role_groups()


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
    ensure_default_roles()
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


@pytest.fixture
def eager(settings, tmp_path) -> Iterator[None]:
    """Export tasks run at once, in the process that queues them (the live server's)."""
    from project.celery import app as celery_app

    settings.MEDIA_ROOT = tmp_path / "media"
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def session_check(app: AppClient, browser, *, htmx: bool = True):
    headers = {"HX-Request": "true"} if htmx else {}
    return browser.get(app.url("/sso/session/"), headers=headers, allow_redirects=False, timeout=30)
