"""tests/servers.py starts emulators on ports that another process may take first."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests import servers


def ports(monkeypatch, *first: int) -> list[int]:
    """Make free_port() hand out these ports first, then real free ones; the list records every call."""
    handed: list[int] = []
    queue: Iterator[int] = iter(first)
    real = servers.free_port

    def free_port() -> int:
        handed.append(next(queue, None) or real())
        return handed[-1]

    monkeypatch.setattr(servers, "free_port", free_port)
    return handed


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something else listens on (and never answers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_taken_port_is_retried_with_another(emulator_template, tmp_path, monkeypatch, taken_port):
    handed = ports(monkeypatch, taken_port)
    emulator = servers.start_emulator(emulator_template, tmp_path)
    try:
        assert len(handed) == 2 and handed[0] == taken_port
        assert emulator.url == f"http://127.0.0.1:{handed[1]}"
        response = emulator.session.get(f"{emulator.url}/_emulator/stats", timeout=10)
        assert response.headers["X-Emulator-Pid"] == str(emulator.process.pid)
        assert emulator.process.poll() is None
    finally:
        emulator.stop()


def test_another_emulator_on_the_port_is_not_taken_for_ours(emulator, emulator_template, tmp_path, monkeypatch):
    # The shared emulator answers on its port while ours starts there and fails to bind.
    busy = int(emulator.url.rsplit(":", 1)[1])
    handed = ports(monkeypatch, busy)
    ours = servers.start_emulator(emulator_template, tmp_path)
    try:
        assert handed[0] == busy and ours.url != emulator.url
        assert ours.session.get(f"{ours.url}/_emulator/stats", timeout=10).headers["X-Emulator-Pid"] == str(
            ours.process.pid
        )
    finally:
        ours.stop()


def test_gives_up_after_a_few_taken_ports(emulator_template, tmp_path, monkeypatch, taken_port):
    monkeypatch.setattr(servers, "START_ATTEMPTS", 2)
    handed = ports(monkeypatch, taken_port, taken_port, taken_port)
    with pytest.raises(RuntimeError, match="no free port in 2 attempts"):
        servers.start_emulator(emulator_template, tmp_path)
    assert handed == [taken_port, taken_port]


def test_other_start_failures_are_not_retried(emulator_template, tmp_path, monkeypatch):
    handed = ports(monkeypatch)
    with pytest.raises(RuntimeError, match="exited early") as failure:
        servers.start_emulator(emulator_template, tmp_path, {"EMULATOR_ACCESS_TOKEN_SECONDS": "soon"})
    assert "EMULATOR_ACCESS_TOKEN_SECONDS" in str(failure.value)
    assert len(handed) == 1
