"""The project's shape: the emulator stays outside the app; settings come from the environment."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGES = ["project", "sso", "navigation", "assets", "templates"]


def test_emulator_is_not_an_installed_app():
    assert not any(app == "emulator" or app.startswith("emulator.") for app in settings.INSTALLED_APPS)


@pytest.mark.parametrize(
    "path", ["/_emulator/stats", "/_emulator/faults", "/gateway/api/assetmanagement/v3/assets", "/acme/oauth/token"]
)
def test_emulator_urls_are_not_routable_in_the_app(path, client, db):
    with pytest.raises(Resolver404):
        resolve(path)
    assert client.get(path).status_code == 404


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_app_module_imports_the_emulator():
    offenders = [
        str(path.relative_to(ROOT))
        for package in APP_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if any(name == "emulator" or name.startswith("emulator.") for name in _imports(path))
    ]
    assert offenders == []


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
    for command in ([sys.executable, "manage.py", "check"], [sys.executable, "-m", "emulator", "check"]):
        env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
