"""From environment variables to settings, with environs doing the typed parsing."""
from __future__ import annotations

import os
import typing

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
    readers = {str: env.str, int: env.int, bool: env.bool}
    values = {}
    for settings_class in app_settings:
        for name, kind in typing.get_type_hints(settings_class).items():
            if name not in os.environ:
                continue
            values[name] = env_list(name, []) if typing.get_origin(kind) is list else readers[kind](name)
    return values


def database_config(url: str | None, default_sqlite_path: str) -> dict:
    """A DATABASES entry from a URL; SQLite with immediate transactions when there is none."""
    config = dj_database_url.parse(url or f"sqlite:///{default_sqlite_path}", conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Immediate transactions take the write lock at BEGIN, so concurrent writers
        # queue on the busy timeout instead of failing half-way with "database is locked".
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    return config
