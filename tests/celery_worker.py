"""A real Celery worker on Redis in a subprocess, sharing the test database and the emulator."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.db import connection

from project.celery import app as celery_app
from tests.servers import ROOT

# TEST_CELERY_REDIS_URL names a database to use as it is; otherwise each test run claims one of
# databases 15 down to 1 of this server for itself (see RedisDatabase), so that two runs on one
# machine never flush each other's queues.
REDIS_URL_OVERRIDE = os.environ.get("TEST_CELERY_REDIS_URL") or None
REDIS_SERVER_URL = "redis://127.0.0.1:6379"
CANDIDATE_DBS = range(15, 0, -1)
LOCK_KEY = "mobilestarter-tests:claimed-by"  # "<pid>@<host>:<random>" of the run holding the database
SCRATCH_KEY = "mobilestarter-tests:scratch"  # marks a database the tests may flush
LOCK_SECONDS = 15 * 60  # a run that dies without releasing frees its database after this long
REFRESH_SECONDS = 60
VISIBILITY_TIMEOUT = 3

# Atomic steps, so that a claim that expired and was taken by another run is never touched.
_REFRESH = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end return 0"
_FLUSH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('FLUSHDB')
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SET', KEYS[2], '1')
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('FLUSHDB')
redis.call('SET', KEYS[2], '1')
return 1
"""
_RELEASE_LOCK_ONLY = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL_OVERRIDE or REDIS_SERVER_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(
    not redis_reachable(), reason=f"needs Redis at {REDIS_URL_OVERRIDE or REDIS_SERVER_URL}"
)


class RedisDatabase:
    """One Redis database that this test run holds for its Celery queues.

    A claim is `SET <LOCK_KEY> <token> NX EX <LOCK_SECONDS>` in the database itself, kept alive
    by a thread that extends it every REFRESH_SECONDS while the run lasts; flushing re-sets the
    lock in the same atomic step. A database holding keys but no SCRATCH_KEY belongs to someone
    else and is never claimed. With TEST_CELERY_REDIS_URL the named database is used unclaimed.
    """

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.token = token
        self.client = redis.Redis.from_url(url)
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None
        self.lost = False
        if token is not None:
            self._keeper = threading.Thread(target=self._keep, name="redis-claim", daemon=True)
            self._keeper.start()

    @classmethod
    def claim(cls, server_url: str = REDIS_SERVER_URL) -> RedisDatabase:
        token = f"{os.getpid()}@{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        skipped = []
        for index in CANDIDATE_DBS:
            url = f"{server_url}/{index}"
            client = redis.Redis.from_url(url)
            try:
                if not client.set(LOCK_KEY, token, nx=True, ex=LOCK_SECONDS):
                    skipped.append(f"{index}: held by {client.get(LOCK_KEY)!r}")
                    continue
            except redis.ResponseError as error:  # e.g. "DB index is out of range"
                skipped.append(f"{index}: {error}")
                continue
            finally:
                client.close()
            database = cls(url, token)
            if database.client.dbsize() > 1 and not database.client.exists(SCRATCH_KEY):
                database.release(flush=False)
                skipped.append(f"{index}: holds data that is not the tests'")
                continue
            database.client.set(SCRATCH_KEY, "1")
            return database
        raise RuntimeError("no free Redis database for this test run:\n  " + "\n  ".join(skipped))

    def _keep(self) -> None:
        while not self._stop.wait(REFRESH_SECONDS):
            try:
                if not self.client.eval(_REFRESH, 1, LOCK_KEY, self.token, LOCK_SECONDS):
                    self.lost = True
                    return
            except redis.RedisError:
                pass  # try again at the next beat; the lock outlives several missed beats

    def flush(self) -> None:
        """Empty the database (queues, results, bindings) for the next test."""
        if self.token is None:
            self.client.flushdb()
        elif self.lost or not self.client.eval(_FLUSH, 2, LOCK_KEY, SCRATCH_KEY, self.token, LOCK_SECONDS):
            self.lost = True
            raise RuntimeError(f"this test run lost its claim on {self.url}; another run may be using it")

    def release(self, *, flush: bool = True) -> None:
        """Stop holding the database; a database of ours is left empty but for the scratch mark."""
        self._stop.set()
        if self._keeper is not None:
            self._keeper.join(timeout=5)
        if self.token is not None:
            try:
                if flush:
                    self.client.eval(_RELEASE, 2, LOCK_KEY, SCRATCH_KEY, self.token)
                else:
                    self.client.eval(_RELEASE_LOCK_ONLY, 1, LOCK_KEY, self.token)
            except redis.RedisError:
                pass  # the lock expires by itself
        self.client.close()


_claimed: RedisDatabase | None = None


def redis_database(config: pytest.Config) -> RedisDatabase:
    """This run's Redis database: claimed at first use, released when the pytest session ends."""
    global _claimed
    if _claimed is None:
        if not redis_reachable():
            pytest.skip(f"needs Redis at {REDIS_URL_OVERRIDE or REDIS_SERVER_URL}")
        _claimed = RedisDatabase(REDIS_URL_OVERRIDE) if REDIS_URL_OVERRIDE else RedisDatabase.claim()
        config.add_cleanup(_release_claim)
    return _claimed


def _release_claim() -> None:
    global _claimed
    if _claimed is not None:
        _claimed.release()
        _claimed = None


@pytest.fixture(scope="session")
def celery_redis_url(pytestconfig) -> str:
    """The URL of this run's Redis database (the broker of test workers and of app_publishes_to_redis)."""
    return redis_database(pytestconfig).url


def database_url() -> str:
    """The test database, as a URL the worker process can use."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryProcess:
    """`celery -A project <args>` in a subprocess, its output in `log_path`; ready once `ready_line` is printed."""

    def __init__(self, args: list[str], env: dict, log_path: Path, ready_line: str) -> None:
        self.log_path, self.ready_line = log_path, ready_line
        self.log = open(log_path, "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "project", *args],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30) -> CeleryProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.log_path.stem} exited:\n{self.log_text()}")
            if self.ready_line in self.log_path.read_text():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"{self.log_path.stem} not ready in {timeout} s:\n{self.log_text()}")

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


def worker(env: dict, log_path: Path, loglevel: str = "INFO") -> CeleryProcess:
    """`celery worker` (solo pool: killing it kills the running task). Wait until it is ready before
    queueing: messages published before the worker declared its queue would find no route."""
    args = [
        "worker",
        "--pool=solo",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    return CeleryProcess(args, env, log_path, " ready.")


def beat(env: dict, log_path: Path, schedule: Path) -> CeleryProcess:
    """`celery beat`, with its schedule file at `schedule`."""
    return CeleryProcess(["beat", "--loglevel=INFO", "-s", str(schedule)], env, log_path, "beat: Starting")


@pytest.fixture
def worker_env(app, settings, tmp_path, pytestconfig) -> dict:
    database = redis_database(pytestconfig)
    database.flush()
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": database.url,
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
def start_worker(worker_env, tmp_path) -> Iterator[Callable[..., CeleryProcess]]:
    workers: list[CeleryProcess] = []

    def start(loglevel: str = "INFO") -> CeleryProcess:
        workers.append(worker(worker_env, tmp_path / f"worker-{len(workers)}.log", loglevel))
        return workers[-1].wait_ready()

    yield start
    for started in workers:
        started.stop()


@pytest.fixture
def app_publishes_to_redis(pytestconfig) -> Iterator[None]:
    """Make this process (and so the live server) send tasks to the test Redis, not the default broker."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options)
    conf.broker_url = redis_database(pytestconfig).url
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
