"""The project's shape: layers, the emulator outside the app, settings from the environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from assets.app_settings import AppSettings as AssetsSettings
from fleet.app_settings import AppSettings as FleetSettings
from mindsphere.app_settings import MindSphereSettings
from sso.app_settings import AppSettings as SsoSettings
from webapp.app_settings import AppSettings as WebappSettings

ROOT = Path(__file__).resolve().parent.parent


def test_emulator_is_not_an_installed_app():
    assert not any(app == "emulator" or app.startswith("emulator.") for app in settings.INSTALLED_APPS)


@pytest.mark.parametrize(
    "path", ["/_emulator/stats", "/_emulator/faults", "/gateway/api/assetmanagement/v3/assets", "/acme/oauth/token"]
)
def test_emulator_urls_are_not_routable_in_the_app(path, client, db):
    with pytest.raises(Resolver404):
        resolve(path)
    assert client.get(path).status_code == 404


def test_the_layering_contracts_hold():
    """.importlinter: apps import only downwards, and the emulator and the app never import each other."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_loading_the_app_does_not_import_the_emulator():
    code = (
        "import django, sys; django.setup(); import project.urls; "
        "sys.exit(1 if any(m == 'emulator' or m.startswith('emulator.') for m in sys.modules) else 0)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings"}
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env).returncode == 0


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "django.db.backends.sqlite3"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"}, "django.db.backends.postgresql"),
    ],
)
def test_database_comes_from_the_environment(env, expected):
    code = "import django; from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    clean = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "project.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == expected


def test_manage_py_check_passes_for_app_and_emulator():
    """The one `check` smoke test (in development: DEBUG on; production checks: tests/test_production.py)."""
    for command in ([sys.executable, "manage.py", "check"], [sys.executable, "-m", "emulator", "check"]):
        env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        result = subprocess.run(command, cwd=ROOT, env={**env, "DEBUG": "1"}, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


# Each class's own settings (`__annotations__`): sso's extends MindSphereSettings, which holds the gateway's.
APP_SETTINGS = [MindSphereSettings, SsoSettings, AssetsSettings, FleetSettings, WebappSettings]


def _readme_defaults() -> dict[str, str]:
    """The README's "The app" configuration table: variable -> default as written."""
    section = (ROOT / "README.md").read_text().split("### The app", 1)[1].split("###", 1)[0]
    return dict(re.findall(r"^\| `(\w+)` \| ([^|]*) \|", section, flags=re.MULTILINE))


def _as_written(value) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


@pytest.mark.parametrize(
    ("settings_class", "name"),
    [(cls, name) for cls in APP_SETTINGS for name in cls.__annotations__],
    ids=lambda value: value if isinstance(value, str) else value.__module__,
)
def test_the_readme_documents_every_app_setting_with_its_default(settings_class, name):
    default, written = getattr(settings_class, name), _readme_defaults().get(name)
    assert written is not None, f"{name} is missing from README.md's configuration table"
    if written.startswith("`"):
        assert written.strip().strip("`") == _as_written(default)
    else:  # "empty", "empty (any tenant)"
        assert written.startswith("empty") and not default


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"MINDSPHERE_TOKEN_LEEWAY": "300", "MINDSPHERE_ALLOWED_TENANTS": "acme, globex"}, [300, ["acme", "globex"]]),
    ],
)
def test_app_settings_come_from_the_environment(env, expected):
    code = (
        "import django, json; django.setup(); from django.conf import settings; from sso.app_settings import app_settings; "
        "print(json.dumps([hasattr(settings, 'MINDSPHERE_TOKEN_LEEWAY'), app_settings.MINDSPHERE_TOKEN_LEEWAY, "
        "app_settings.MINDSPHERE_ALLOWED_TENANTS]))"
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith("MINDSPHERE_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "project.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    present, leeway, tenants = json.loads(result.stdout)
    if expected is None:  # unset: the default from the app's app_settings.py, and no project setting at all
        assert (present, leeway, tenants) == (False, 120, [])
    else:
        assert (present, [leeway, tenants]) == (True, expected)


def test_a_bad_value_in_the_environment_stops_the_app_with_its_name():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", "MINDSPHERE_TOKEN_LEEWAY": "two minutes"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "MINDSPHERE_TOKEN_LEEWAY" in result.stderr


def test_loading_the_settings_makes_no_folder_and_celery_makes_its_own(tmp_path):
    """No side effects on import: the file-system broker's and beat's folders come with Celery's first use."""
    broker, schedule = tmp_path / "broker", tmp_path / "beat" / "schedule"
    code = (
        "import django, pathlib, sys; django.setup(); from django.conf import settings; "
        f"made = [pathlib.Path(p).exists() for p in ({str(broker)!r}, {str(schedule.parent)!r})]; "
        "from project.celery import app; app.conf.broker_url; "
        f"print(made, [pathlib.Path(p).is_dir() for p in ({str(broker / 'control')!r}, {str(schedule.parent)!r})])"
    )
    clean = {key: value for key, value in os.environ.items() if key not in ("CELERY_BROKER_URL", "REDIS_URL")}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "CELERY_BROKER_FOLDER": str(broker),
        "CELERY_BEAT_SCHEDULE_FILENAME": str(schedule),
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "[False, False] [True, True]", result.stderr
