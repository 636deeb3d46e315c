"""Settings of the app, all read from the environment; README.md lists every variable."""
import os
import tempfile
from pathlib import Path

from project.env import database_config, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = env_str("SECRET_KEY", "django-insecure-local-development-only-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "navigation",
    "assets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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

DATABASES = {"default": database_config("DATABASE_URL", str(BASE_DIR / "db.sqlite3"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so live-server tests run requests on separate connections, as in production.
    # Per process, so two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"mindsphere-test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles" / "app"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

LOGIN_URL = "/"
LOGIN_REDIRECT_URL = "/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not env_bool("LOCAL_HTTP", True))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- MindSphere (the Mendix module's constants) ---------------------------------------------
MINDSPHERE_APP_NAME = env_str("MINDSPHERE_APP_NAME", "mobilestarter")
MINDSPHERE_APP_VERSION = env_str("MINDSPHERE_APP_VERSION", "1.0.0")
MINDSPHERE_CLIENT_ID = env_str("MINDSPHERE_CLIENT_ID", "mobilestarter-local")
MINDSPHERE_CLIENT_SECRET = env_str("MINDSPHERE_CLIENT_SECRET", "local-dev-secret")
MINDSPHERE_REGION = env_str("MINDSPHERE_REGION", "eu1")
MINDSPHERE_AUTH_URL = env_str("MINDSPHERE_AUTH_URL", "http://127.0.0.1:8001/{tenant}")
MINDSPHERE_GATEWAY_URL = env_str("MINDSPHERE_GATEWAY_URL", "http://127.0.0.1:8001/gateway")
MINDSPHERE_ALLOWED_TENANTS = env_list("MINDSPHERE_ALLOWED_TENANTS", [])
MINDSPHERE_HTTP_TIMEOUT = env_int("MINDSPHERE_HTTP_TIMEOUT", 10)
MINDSPHERE_TOKEN_LEEWAY = env_int("MINDSPHERE_TOKEN_LEEWAY", 120)
MINDSPHERE_REFRESH_TOKEN_SECONDS = env_int("MINDSPHERE_REFRESH_TOKEN_SECONDS", 43200)
MINDSPHERE_CLOCK_SKEW = env_int("MINDSPHERE_CLOCK_SKEW", 60)
MINDSPHERE_KEYS_CACHE_SECONDS = env_int("MINDSPHERE_KEYS_CACHE_SECONDS", 86400)
MINDSPHERE_RETRY_AFTER = env_int("MINDSPHERE_RETRY_AFTER", 30)
MINDSPHERE_CHECK_INTERVAL = env_int("MINDSPHERE_CHECK_INTERVAL", 60)

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
SOCIALACCOUNT_REQUESTS_TIMEOUT = MINDSPHERE_HTTP_TIMEOUT
SOCIALACCOUNT_PROVIDERS = {
    "mindsphere": {
        "APP": {"client_id": MINDSPHERE_CLIENT_ID, "secret": MINDSPHERE_CLIENT_SECRET},
        "OAUTH_PKCE_ENABLED": True,
    }
}

# --- Celery ------------------------------------------------------------------------------------
# Redis in production and CI; by default a server-less file-system broker, so `make run` runs a real
# worker and beat on a fresh machine without a broker server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = Path(env_str("CELERY_BROKER_FOLDER", str(BASE_DIR / "var" / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    (CELERY_BROKER_FOLDER / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
    }
else:
    # An unacknowledged task (its worker died) is delivered again once it is older than the
    # visibility timeout; workers look for such tasks every CELERY_UNACKED_RESTORE_SECONDS.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_SECONDS", 60),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged when done, so a killed worker's task runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # progress lives in the database, not in a result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "delete-expired-token-records": {"task": "sso.tasks.delete_expired_token_records", "schedule": 15 * 60},
    "delete-old-exports": {"task": "assets.tasks.delete_old_exports", "schedule": 60 * 60},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

# --- CSV exports -------------------------------------------------------------------------------
ASSETS_EXPORT_MAX_DAYS = env_int("ASSETS_EXPORT_MAX_DAYS", 30)
ASSETS_MAX_ACTIVE_EXPORTS = env_int("ASSETS_MAX_ACTIVE_EXPORTS", 3)
ASSETS_EXPORT_MAX_AGE_HOURS = env_int("ASSETS_EXPORT_MAX_AGE_HOURS", 24)
ASSETS_EXPORT_MAX_RETRIES = env_int("ASSETS_EXPORT_MAX_RETRIES", 5)

# --- .well-known files for the native apps (docs/well-known.md) -------------------------------
ANDROID_APP_PACKAGE = env_str("ANDROID_APP_PACKAGE", "")
ANDROID_APP_SHA256_FINGERPRINTS = env_list("ANDROID_APP_SHA256_FINGERPRINTS", [])
IOS_APP_IDS = env_list("IOS_APP_IDS", [])
IOS_APP_PATHS = env_list("IOS_APP_PATHS", ["/*"])
