"""Settings of the app, all read from the environment; README.md lists every variable."""
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
    "django_htmx.middleware.HtmxMiddleware",
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
            ],
        },
    },
]

DATABASES = {"default": database_config("DATABASE_URL", str(BASE_DIR / "db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles" / "app"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "media"

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

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
