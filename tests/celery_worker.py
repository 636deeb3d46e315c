"""A real Celery worker on Redis in a subprocess, sharing the test database and the emulator."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.db import connection

from project.celery import app as celery_app
from tests.servers import ROOT

REDIS_URL = os.environ.get("TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/14")
VISIBILITY_TIMEOUT = 3


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_reachable(), reason=f"needs Redis at {REDIS_URL}")


def database_url() -> str:
    """The test database, as a URL the worker process can use."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery worker` in a subprocess (solo pool: killing it kills the running task)."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.log_path = log_path
        self.log = open(log_path, "a")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "project", "worker", "--pool=solo", "--loglevel=INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30) -> Worker:
        # Messages published before the worker declared its queue would find no route.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.log_text()}")
            if " ready." in self.log_path.read_text():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"worker not ready in {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text()[-3000:]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def worker_env(app, settings, tmp_path) -> dict:
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "CELERY_UNACKED_RESTORE_SECONDS": "1",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "MINDSPHERE_AUTH_URL": settings.MINDSPHERE_AUTH_URL,
            "MINDSPHERE_GATEWAY_URL": settings.MINDSPHERE_GATEWAY_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture
def start_worker(worker_env, tmp_path) -> Iterator[Callable[[], Worker]]:
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(worker_env, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker.wait_ready()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def app_publishes_to_redis() -> Iterator[None]:
    """Make this process (and so the live server) send tasks to the test Redis, not the default broker."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options)
    conf.broker_url = REDIS_URL
    conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
    _drop_pools()
    yield
    conf.broker_url, conf.broker_transport_options = saved
    _drop_pools()


def _drop_pools() -> None:
    # Celery has no public way to forget its pools after a broker change; this is what it does
    # itself after a fork. (Closing them instead would leave closed pools in kombu's registry.)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
