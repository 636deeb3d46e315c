"""Settings of the MindSphere emulator: a separate Django project with its own database.

Every value comes from the environment; the defaults suit `make run` on one machine.
"""
from pathlib import Path

from project.env import database_config, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = env_str("EMULATOR_SECRET_KEY", "emulator-local-only-not-a-secret")
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

DATABASES = {"default": database_config("EMULATOR_DATABASE_URL", str(BASE_DIR / "emulator.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The emulator's own sign-in session must not collide with the app's cookie on 127.0.0.1
# (cookies ignore ports).
LOGIN_URL = "/_emulator/admin/login/"
LOGIN_REDIRECT_URL = "/_emulator/admin/"

SESSION_COOKIE_NAME = "emulator_sessionid"
CSRF_COOKIE_NAME = "emulator_csrftoken"

STATIC_URL = "/_emulator/static/"
STATIC_ROOT = BASE_DIR / "staticfiles" / "emulator"
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

# The demo client registration; the app reads the same variables, so `make run` needs no setup.
EMULATOR_APP_NAME = env_str("MINDSPHERE_APP_NAME", "mobilestarter")
EMULATOR_CLIENT_ID = env_str("MINDSPHERE_CLIENT_ID", "mobilestarter-local")
EMULATOR_CLIENT_SECRET = env_str("MINDSPHERE_CLIENT_SECRET", "local-dev-secret")
EMULATOR_REDIRECT_URIS = env_list(
    "EMULATOR_REDIRECT_URIS",
    [
        "http://127.0.0.1:8000/accounts/mindsphere/login/callback/",
        "http://localhost:8000/accounts/mindsphere/login/callback/",
    ],
)
EMULATOR_POST_LOGOUT_REDIRECT_URIS = env_list(
    "EMULATOR_POST_LOGOUT_REDIRECT_URIS", ["http://127.0.0.1:8000/", "http://localhost:8000/"]
)
# Sign-in for the emulator's Django admin, created by `seed_demo`.
EMULATOR_ADMIN_USERNAME = env_str("EMULATOR_ADMIN_USERNAME", "admin")
EMULATOR_ADMIN_PASSWORD = env_str("EMULATOR_ADMIN_PASSWORD", "demo")
