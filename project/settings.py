"""Settings of the app, read from the environment; README.md lists every variable.

The apps' own settings (MINDSPHERE_*, ASSETS_*, the .well-known ones) have their defaults in each
app's `app_settings.py`; this file only copies the environment variables of those names.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from environs import Env

from assets.app_settings import AppSettings as AssetsSettings
from fleet.app_settings import AppSettings as FleetSettings
from project.environment import database_config, env_list, from_environment, redis_cache, vcap_service_uri
from sso.app_settings import AppSettings as SsoSettings
from webapp.app_settings import AppSettings as WebappSettings

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-only-change-me"  # project.E001 refuses it with DEBUG off
SECRET_KEY = env.str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", False)
# Served over plain http on this machine (make run, make serve): no SSL redirect, HSTS or secure cookies.
LOCAL_HTTP = env.bool("LOCAL_HTTP", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "project",  # system checks of the deployment (project/checks.py)
    "sso.apps.OperatorAdminConfig",  # django.contrib.admin, for the app's operators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "sso",
    "sso.providers.mindsphere",
    "navigation",
    "assets",
    "tenantadmin",
    "fleet",
    "blocks",  # above assets, tenantadmin and fleet: the blocks of role home pages
    "webapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "project.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "webapp.localtime.LocalTimeMiddleware",  # the browser's time zone (the `tz` cookie)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sso.bearer.GatewayBearerMiddleware",  # the Launchpad entrance, with MINDSPHERE_GATEWAY_SIGN_IN on
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "project.htmx.HtmxMiddleware",  # request.htmx, and Vary on htmx's headers
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "sso.bearer.GatewayBackend",  # people MindSphere's gateway signs in (docs/launchpad.md)
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sso.context_processors.mindsphere",
                "navigation.context_processors.menu",
            ],
        },
    },
]

# Cloud Foundry binds services through VCAP_SERVICES; an explicit DATABASE_URL or REDIS_URL wins.
DATABASE_URL = env.str("DATABASE_URL", "") or vcap_service_uri("postgres")
REDIS_URL = env.str("REDIS_URL", "") or vcap_service_uri("redis")
DATABASES = {
    "default": database_config(DATABASE_URL, str(BASE_DIR / "db.sqlite3"), env.int("DATABASE_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so live-server tests run requests on separate connections, as in production.
    # Per process, so two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"mindsphere-test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
# The person's language comes from the browser (Accept-Language) or their choice on the Account
# page (a cookie); docs/languages.md says how to add one.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates and numbers of data in each language's own way: "Di., 1. Dez.", "14,173" (webapp/formats/).
FORMAT_MODULE_PATH = ["webapp.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles" / "app"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", BASE_DIR / "media")

LOGIN_URL = "/"
LOGIN_REDIRECT_URL = "/"

# Messages can name a person or a tenant: keep them in the session, not in a readable cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Cache and sessions: in Redis when REDIS_URL is set, so any number of instances share them ---
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", 1.0)
if REDIS_URL:
    # django-redis rather than Django's own backend: see requirements.txt. A Redis that is down or
    # slow costs at most REDIS_SOCKET_TIMEOUT and counts as a miss, so the app goes on from the
    # database instead of failing; each such miss is logged (django_redis.cache).
    CACHES = {"default": redis_cache(REDIS_URL, REDIS_SOCKET_TIMEOUT)}
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # Sessions read from Redis (the valid session check makes no SQL query) and written through to
    # the database, so Redis restarted with its data lost, or down, signs nobody out (docs/performance.md).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Template fragments that are the same for everyone (the layout's menu, icons, lifecycle include):
# in each process's memory, since a Redis round trip would cost as much as rendering them.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Secure by default when DEBUG is off and the app is not on local http (docs/deploying.md) ----
SECURE_DEFAULT = not DEBUG and not LOCAL_HTTP
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", SECURE_DEFAULT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Origins whose POSTs Django's CSRF check accepts besides the app's own host: behind MindSphere's
# gateway the browser's origin is the gateway's (`https://*.eu1.mindsphere.io`; make run: the emulated one).
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "project.errors.csrf_failure"  # the app's 403 page, not Django's plain one
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", SECURE_DEFAULT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # platforms probe these over plain http
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000 if SECURE_DEFAULT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_DEFAULT)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", SECURE_DEFAULT)
if env.bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a router that sets this header itself (Cloud Foundry's does); never on a bare server.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere (the chart's SVG is styled by assets/chart.css). The
# middleware (project/security.py) adds the tenant sign-in host to form-action (the Login form redirects there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
    }
}

# --- Logging: no secret in any line at any level (project/logging.py) -----------------------------
LOG_LEVEL = env.str("LOG_LEVEL", "INFO")
LOG_FORMAT = env.str("LOG_FORMAT", "text")
LOGGING_CONFIG = "project.logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "redacted": {
            "()": "project.logging.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "as_json": LOG_FORMAT == "json",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "redacted"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- The apps' own settings: only those the environment sets; defaults in <app>/app_settings.py ---
# The MindSphere URLs' development defaults name the emulator on 8001; `make run`, `make serve` and
# `make bench` start it on EMULATOR_PORT, so with that set they follow it (set explicitly, they win).
if env.str("EMULATOR_PORT", ""):
    MINDSPHERE_AUTH_URL = f"http://127.0.0.1:{env.int('EMULATOR_PORT')}/{{tenant}}"
    MINDSPHERE_GATEWAY_URL = f"http://127.0.0.1:{env.int('EMULATOR_PORT')}/gateway"
globals().update(from_environment(env, SsoSettings, AssetsSettings, FleetSettings, WebappSettings))

# --- django-allauth: MindSphere is the only way in -------------------------------------------
ACCOUNT_ADAPTER = "sso.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "sso.adapter.SocialAccountAdapter"
ACCOUNT_USER_DISPLAY = "sso.adapter.user_display"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False  # the same email in two tenants is two people
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never connect accounts by email
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False  # tokens live encrypted in sso.TokenRecord only
# The provider's client id, secret and timeout come from the MINDSPHERE_* settings (sso.adapter).

# --- Celery ------------------------------------------------------------------------------------
# Redis in production and CI; by default a server-less file-system broker, so `make run` runs a real
# worker and beat on a fresh machine without a broker server.
# "localhost" only names the broker (kombu warns at every start when a URL has no host).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "") or REDIS_URL or "filesystem://localhost/"
CELERY_BROKER_FOLDER = env.path("CELERY_BROKER_FOLDER", BASE_DIR / "var" / "broker")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object]
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The folders are made by the first process that uses Celery (project/celery.py), not on import.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
    }
else:
    # An unacknowledged task (its worker died) is delivered again once it is older than the
    # visibility timeout; workers look for such tasks every CELERY_UNACKED_RESTORE_SECONDS.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS", 60),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged when done, so a killed worker's task runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # progress lives in the database, not in a result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "delete-expired-token-records": {"task": "sso.tasks.delete_expired_token_records", "schedule": 15 * 60},
    "delete-old-exports": {"task": "assets.tasks.delete_old_exports", "schedule": 60 * 60},
    "clear-expired-sessions": {"task": "sso.tasks.clear_expired_sessions", "schedule": 60 * 60},
    # Every 30 s (or each interval, if shorter) beat asks which tenants' fleet overviews are due:
    # each is recomputed every ASSETS_OVERVIEW_INTERVAL, a tenant new to the app within 30 s, and a
    # failed run after its back-off (docs/fleet.md). Beat also asks once when it starts (project/celery.py).
    "fleet-overviews": {
        "task": "fleet.tasks.refresh_due_overviews",
        "schedule": max(1, min(30, globals().get("ASSETS_OVERVIEW_INTERVAL", FleetSettings.ASSETS_OVERVIEW_INTERVAL))),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule"))
