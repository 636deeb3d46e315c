"""The emulator stands alone: it imports nothing of the app, so it runs (and fails) on its own."""

from __future__ import annotations

import ast
import configparser
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import ROOT

EMULATOR = ROOT / "emulator"
IMPORT_CONTRACTS = configparser.ConfigParser()
IMPORT_CONTRACTS.read(ROOT / ".importlinter")
# The app's packages: what .importlinter forbids the emulator to import.
APP_PACKAGES = set(IMPORT_CONTRACTS["importlinter:contract:emulator-stands-alone"]["forbidden_modules"].split())
# A dotted path Django would import from a string (INSTALLED_APPS, MIDDLEWARE, ROOT_URLCONF, ...).
APP_DOTTED_PATH = re.compile(rf"^(?:{'|'.join(sorted(APP_PACKAGES))})(?:\.\w+)+$")


def app_imports(path: Path) -> list[str]:
    """What the module imports from the app's packages, by statement or by dotted-path string."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and APP_DOTTED_PATH.match(node.value):
            modules = [node.value]
        else:
            continue
        found += [f"line {node.lineno}: {name}" for name in modules if name.split(".")[0] in APP_PACKAGES]
    return found


def test_the_contracts_name_every_package_of_the_app():
    roots = set(IMPORT_CONTRACTS["importlinter"]["root_packages"].split())
    assert roots - {"emulator"} == APP_PACKAGES
    assert set(IMPORT_CONTRACTS["importlinter:contract:app-without-emulator"]["source_modules"].split()) == APP_PACKAGES


def test_the_scan_knows_every_app_package():
    """Every package of the app that Django installs is one the scan (and import-linter) fences off."""
    from django.conf import settings

    installed = {name.split(".")[0] for name in settings.INSTALLED_APPS}
    assert {name for name in installed if (ROOT / name).is_dir()} <= APP_PACKAGES


def test_no_emulator_module_imports_the_app():
    sources = sorted(EMULATOR.rglob("*.py"))
    assert EMULATOR / "settings.py" in sources and EMULATOR / "migrations" / "0001_initial.py" in sources
    offenders = {str(path.relative_to(ROOT)): found for path in sources if (found := app_imports(path))}
    assert offenders == {}


def test_the_scan_sees_every_kind_of_import(tmp_path):
    # The scan above must be able to fail.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nimport project.env\nfrom sso import verification\nfrom .models import Asset\n"
        "from assets.models import Export\nMIDDLEWARE = ['navigation.middleware.Offline']\n"
        "related_name = 'assets'\n"
    )
    assert app_imports(sample) == [
        "line 2: project.env",
        "line 3: sso",
        "line 5: assets.models",
        "line 6: navigation.middleware.Offline",
    ]


CHECK = """
import importlib, json, pkgutil, sys
import django
django.setup()
import emulator
for module in pkgutil.walk_packages(emulator.__path__, "emulator."):
    importlib.import_module(module.name)
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.urls import get_resolver
WSGIHandler()  # loads every middleware
get_resolver().url_patterns  # imports the URLconf and its views
call_command("check")
unwanted = {"celery", *json.loads(sys.argv[1])}
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in unwanted)))
"""


def test_the_emulator_sets_up_and_loads_without_the_app_or_celery(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EMULATOR_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "emulator.settings",
            "EMULATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'emulator.sqlite3'}",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(sorted(APP_PACKAGES))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == []


SETTINGS = """
import json
import emulator.settings as s
print(json.dumps({
    "DEBUG": s.DEBUG, "ALLOWED_HOSTS": s.ALLOWED_HOSTS, "ROTATE": s.EMULATOR_ROTATE_REFRESH_TOKENS,
    "ACCESS": s.EMULATOR_ACCESS_TOKEN_SECONDS, "CODE": s.EMULATOR_CODE_SECONDS, "APP": s.EMULATOR_APP_NAME,
    "REDIRECTS": s.EMULATOR_REDIRECT_URIS, "DATABASE": s.DATABASES["default"], "FAST": "PASSWORD_HASHERS" in dir(s),
}, default=str))
"""


def emulator_settings(**env: str) -> dict:
    """The emulator's settings as they come out of this environment (read in a fresh process)."""
    dropped = ("EMULATOR_", "MINDSPHERE_", "APP_PORT")
    clean = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )
    if result.returncode:
        raise ValueError(result.stderr.strip().splitlines()[-1])
    return json.loads(result.stdout)


def test_settings_defaults():
    values = emulator_settings()
    assert values["DEBUG"] is False and values["ROTATE"] is True and values["FAST"] is False
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    assert (values["ACCESS"], values["CODE"], values["APP"]) == (1800, 300, "mobilestarter")
    assert values["REDIRECTS"] == [
        "http://127.0.0.1:8000/accounts/mindsphere/login/callback/",
        "http://localhost:8000/accounts/mindsphere/login/callback/",
    ]
    database = values["DATABASE"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(ROOT / "emulator.sqlite3")
    assert database["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 30}


def test_the_registered_callback_follows_app_port():
    """`APP_PORT=8800 make run`: the demo client's callback is the app's on that port."""
    assert emulator_settings(APP_PORT="8800")["REDIRECTS"] == [
        "http://127.0.0.1:8800/accounts/mindsphere/login/callback/",
        "http://localhost:8800/accounts/mindsphere/login/callback/",
    ]


def test_settings_from_the_environment():
    values = emulator_settings(
        EMULATOR_DEBUG=" Yes ",
        EMULATOR_ROTATE_REFRESH_TOKENS="",  # set but empty: off
        EMULATOR_FAST_PASSWORD_HASHER="on",
        EMULATOR_ALLOWED_HOSTS="a.example, b.example c.example,,",  # commas and/or spaces
        EMULATOR_ACCESS_TOKEN_SECONDS=" 60 ",
        EMULATOR_CODE_SECONDS="",  # empty: the default
        MINDSPHERE_APP_NAME="otherapp",
        EMULATOR_REDIRECT_URIS="",
        EMULATOR_DATABASE_URL="postgres://emu@db.example:5433/emulator",
    )
    assert values["DEBUG"] is True and values["ROTATE"] is False and values["FAST"] is True
    assert values["ALLOWED_HOSTS"] == ["a.example", "b.example", "c.example"]
    assert (values["ACCESS"], values["CODE"], values["APP"]) == (60, 300, "otherapp")
    assert values["REDIRECTS"] == []
    database = values["DATABASE"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert [database[key] for key in ("NAME", "USER", "HOST", "PORT")] == ["emulator", "emu", "db.example", 5433]
    assert "transaction_mode" not in database.get("OPTIONS", {})


@pytest.mark.parametrize(("name", "value"), [("EMULATOR_DEBUG", "maybe"), ("EMULATOR_ACCESS_TOKEN_SECONDS", "soon")])
def test_bad_settings_values_are_refused_by_name(name, value):
    with pytest.raises(ValueError, match=name):
        emulator_settings(**{name: value})
