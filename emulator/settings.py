"""Settings of the MindSphere emulator: a separate Django project with its own database.

Every value comes from the environment; the defaults suit `make run` on one machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from environs import Env
from marshmallow import fields

BASE_DIR = Path(__file__).resolve().parent.parent

# The emulator reads its own environment and imports nothing of the app (tests/emulator/test_standalone.py).
env = Env()


class _Switch(fields.Boolean):
    """1/0, true/false, yes/no, on/off in any case and with spaces around; set but empty means off."""

    truthy = {"1", "true", "yes", "on"}
    falsy = {"0", "false", "no", "off", ""}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip().lower()
        return super()._deserialize(value, attr, data, **kwargs)


env.add_parser_from_field("switch", _Switch)


def env_bool(name: str, default: bool) -> bool:
    return env.switch(name, default)


def env_int(name: str, default: int) -> int:
    """A whole number; unset or empty gives the default."""
    return env.int(name, default) if env.str(name, "").strip() else default


def env_text(name: str, default: str) -> str:
    """A string; unset or empty gives the default."""
    return env.str(name, "").strip() or default


def env_list(name: str, default: list[str]) -> list[str]:
    """Items separated by commas and/or spaces; set but empty gives no items."""
    return [item.strip() for part in env.list(name, default) for item in part.split(" ") if item.strip()]


def database_config(name: str, default_sqlite_path: Path) -> dict[str, Any]:
    """A DATABASES entry from a URL variable; SQLite (immediate transactions) when unset or empty."""
    config: dict[str, Any] = dict(
        dj_database_url.parse(env.str(name, "") or f"sqlite:///{default_sqlite_path}", conn_max_age=0)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Immediate transactions take the write lock at BEGIN, so concurrent writers
        # queue on the busy timeout instead of failing half-way with "database is locked".
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    return config


SECRET_KEY = env.str("EMULATOR_SECRET_KEY", "emulator-local-only-not-a-secret")
DEBUG = env_bool("EMULATOR_DEBUG", False)
ALLOWED_HOSTS = env_list("EMULATOR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "emulator",
]

MIDDLEWARE = [
    "emulator.regions.RegionPrefixMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "emulator.urls"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_config("EMULATOR_DATABASE_URL", BASE_DIR / "emulator.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The emulator's own sign-in session must not collide with the app's cookie on 127.0.0.1
# (cookies ignore ports).
LOGIN_URL = "/_emulator/admin/login/"
LOGIN_REDIRECT_URL = "/_emulator/admin/"

SESSION_COOKIE_NAME = "emulator_sessionid"
CSRF_COOKIE_NAME = "emulator_csrftoken"

STATIC_URL = "/_emulator/static/"
# The admin's files come straight from the apps (WHITENOISE_USE_FINDERS) and nothing collects them:
# with a STATIC_ROOT that does not exist, WhiteNoise would warn at every start.
STATIC_ROOT = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Tests sign in dozens of times; a fast hasher keeps them quick. Never set this in front of real people.
if env_bool("EMULATOR_FAST_PASSWORD_HASHER", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

USE_TZ = True
TIME_ZONE = "UTC"

LOGGING_CONFIG = "emulator.logging.configure"  # no token, code or state in a log line
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}

# Token lifetimes (MindSphere Mobile Token: access 30 min, refresh 12 h from sign-in).
EMULATOR_ACCESS_TOKEN_SECONDS = env_int("EMULATOR_ACCESS_TOKEN_SECONDS", 1800)
EMULATOR_REFRESH_TOKEN_SECONDS = env_int("EMULATOR_REFRESH_TOKEN_SECONDS", 43200)
EMULATOR_ROTATE_REFRESH_TOKENS = env_bool("EMULATOR_ROTATE_REFRESH_TOKENS", True)
EMULATOR_CODE_SECONDS = env_int("EMULATOR_CODE_SECONDS", 300)
# How a server may differ from MindSphere and still be conformant, for the app's tests: the access
# token's `scope` as a space-separated string (RFC 9068) instead of an array; no
# `refresh_token_expires_in` in token responses; opaque refresh tokens instead of JWTs.
EMULATOR_SCOPE_AS_STRING = env_bool("EMULATOR_SCOPE_AS_STRING", False)
EMULATOR_SEND_REFRESH_EXPIRES_IN = env_bool("EMULATOR_SEND_REFRESH_EXPIRES_IN", True)
EMULATOR_OPAQUE_REFRESH_TOKENS = env_bool("EMULATOR_OPAQUE_REFRESH_TOKENS", False)

# The demo client registration; the app reads the same variables, so `make run` needs no setup.
EMULATOR_APP_NAME = env.str("MINDSPHERE_APP_NAME", "mobilestarter")
EMULATOR_CLIENT_ID = env.str("MINDSPHERE_CLIENT_ID", "mobilestarter-local")
EMULATOR_CLIENT_SECRET = env.str("MINDSPHERE_CLIENT_SECRET", "local-dev-secret")
# The app as `make run` starts it, on APP_PORT (8000 unless set).
_APP_PORT = env_int("APP_PORT", 8000)
EMULATOR_REDIRECT_URIS = env_list(
    "EMULATOR_REDIRECT_URIS",
    [
        f"http://127.0.0.1:{_APP_PORT}/accounts/mindsphere/login/callback/",
        f"http://localhost:{_APP_PORT}/accounts/mindsphere/login/callback/",
    ],
)
EMULATOR_POST_LOGOUT_REDIRECT_URIS = env_list(
    "EMULATOR_POST_LOGOUT_REDIRECT_URIS", [f"http://127.0.0.1:{_APP_PORT}/", f"http://localhost:{_APP_PORT}/"]
)
# The app's credentials for the Token Management Service (technical tokens), from the variables the app
# reads on MindSphere's Cloud Foundry; `seed_demo` registers them for the app version, hosted by the host tenant.
EMULATOR_TECHNICAL_CLIENT_ID = env_text("MDSP_KEY_STORE_CLIENT_ID", "mobilestarter-technical")
EMULATOR_TECHNICAL_CLIENT_SECRET = env_text("MDSP_KEY_STORE_CLIENT_SECRET", "local-technical-secret")
EMULATOR_TECHNICAL_APP_NAME = env_text("MDSP_OS_VM_APP_NAME", "mobilestarter")
EMULATOR_TECHNICAL_APP_VERSION = env_text("MDSP_OS_VM_APP_VERSION", "1.0.0")
EMULATOR_HOST_TENANT = env_text("MDSP_HOST_TENANT", "acme")
# Sign-in for the emulator's Django admin, created by `seed_demo`.
EMULATOR_ADMIN_USERNAME = env.str("EMULATOR_ADMIN_USERNAME", "admin")
EMULATOR_ADMIN_PASSWORD = env.str("EMULATOR_ADMIN_PASSWORD", "demo")

# --- The emulated MindSphere gateway: `python -m emulator gateway` (docs/emulator.md, "Emulated gateway") ---
# Ports follow the variables `make run` exports; each base URL follows its port unless set itself.
APP_PORT = env_int("APP_PORT", 8000)
EMULATOR_PORT = env_int("EMULATOR_PORT", 8001)
GATEWAY_PORT = env_int("GATEWAY_PORT", 8002)
# The emulator's sign-in service as the gateway calls it and sends people to it.
EMULATOR_URL = (env.str("EMULATOR_URL", "") or f"http://127.0.0.1:{EMULATOR_PORT}").rstrip("/")
# The app the gateway serves at its `/`.
EMULATOR_GATEWAY_APP_URL = (env.str("EMULATOR_GATEWAY_APP_URL", "") or f"http://127.0.0.1:{APP_PORT}").rstrip("/")
# Its icon on the Launchpad: a path at the app (fetched through the gateway) or a full URL.
EMULATOR_GATEWAY_APP_ICON = env.str("EMULATOR_GATEWAY_APP_ICON", "/static/icons/icon.svg")
# The gateway's own OAuth client at the emulator's sign-in service, registered by `seed_demo`.
EMULATOR_GATEWAY_CLIENT_ID = env.str("EMULATOR_GATEWAY_CLIENT_ID", "gateway")
EMULATOR_GATEWAY_CLIENT_SECRET = env.str("EMULATOR_GATEWAY_CLIENT_SECRET", "gateway-local-secret")
# How long a gateway session lasts from sign-in (MindSphere: 12 hours, as the refresh token).
EMULATOR_GATEWAY_SESSION_SECONDS = env_int("EMULATOR_GATEWAY_SESSION_SECONDS", 43200)
