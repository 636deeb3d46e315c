from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.emulator import inprocess


@pytest.fixture
def in_emulator(emulator_template, tmp_path) -> Callable[..., None]:
    """Run a scenario of tests/emulator/inprocess.py (the emulator in-process, on a driven clock)."""

    def run(name: str, **env: str | int) -> None:
        inprocess.run(name, emulator_template, tmp_path / name, **env)

    return run
