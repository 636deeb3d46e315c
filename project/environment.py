"""From environment variables to settings, with environs doing the typed parsing."""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Callable
from typing import Any

import dj_database_url
from environs import Env


def env_list(name: str, default: list[str]) -> list[str]:
    """A list given with commas or spaces ("a,b", "a, b" or "a b")."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item for item in raw.replace(",", " ").split() if item]


def from_environment(env: Env, *app_settings: type) -> dict:
    """The settings of these `AppSettings` classes that the environment sets, parsed by their type.

    Unset variables are left out, so the app's default (in its app_settings.py) applies.
    """
    readers: dict[object, Callable[[str], object]] = {str: env.str, int: env.int, bool: env.bool}
    values: dict[str, object] = {}
    for settings_class in app_settings:
        for name, kind in typing.get_type_hints(settings_class).items():
            if name not in os.environ:
                continue
            values[name] = env_list(name, []) if typing.get_origin(kind) is list else readers[kind](name)
    return values


def database_config(url: str | None, default_sqlite_path: str, conn_max_age: int = 0) -> dict[str, Any]:
    """A DATABASES entry from a URL; SQLite with immediate transactions when there is none.

    A server database keeps connections `conn_max_age` seconds (checked before reuse), so a
    request does not pay for a new connection.
    """
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url or f"sqlite:///{default_sqlite_path}", conn_max_age=conn_max_age, conn_health_checks=True
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Immediate transactions take the write lock at BEGIN, so concurrent writers
        # queue on the busy timeout instead of failing half-way with "database is locked".
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
        config["CONN_MAX_AGE"] = 0
    return config


def redis_cache(url: str, socket_timeout: float) -> dict[str, Any]:
    """A CACHES entry for Redis at `url` (django-redis) that a down or slow Redis does not fail.

    Connecting and every call give up after `socket_timeout` seconds, and a failure counts as a
    miss (IGNORE_EXCEPTIONS): sessions are then read from the database (cached_db), signing keys
    fetched again.
    """
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": socket_timeout,
            "SOCKET_TIMEOUT": socket_timeout,
        },
    }


def vcap_service_uri(kind: str) -> str:
    """The `uri` of the first Cloud Foundry service bound as `kind` ("postgres", "redis"), or "".

    Cloud Foundry passes bound services in VCAP_SERVICES: {label: [{"name", "label", "tags",
    "credentials": {"uri": ...}}]}. A service counts when its label, name or a tag mentions `kind`.
    """
    try:
        services = json.loads(os.environ.get("VCAP_SERVICES") or "{}")
    except ValueError:
        raise ValueError("VCAP_SERVICES is not JSON") from None
    for label, instances in services.items():
        for instance in instances:
            words = [label, instance.get("name", ""), *instance.get("tags", [])]
            uri = instance.get("credentials", {}).get("uri", "")
            if uri and any(kind in str(word).lower() for word in words):
                return uri
    return ""
