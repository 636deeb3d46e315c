from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers import Emulator, prepare_database, start_emulator

# The emulator speaks plain http on 127.0.0.1; oauthlib refuses non-TLS URLs unless told.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture(scope="session", autouse=True)
def static_manifest() -> None:
    """Pages use hashed static names (ManifestStaticFilesStorage), so tests need a collected manifest."""
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)


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
