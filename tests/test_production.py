"""Production settings: secure by default with DEBUG off, headers on every page, health, VCAP_SERVICES."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3Jq9vV2tXzA7pLm0sRwE5yH8uBn4cGd1fTiO6aZqMxWvYsNpLrKjHgFdSaQwErTy"
PRODUCTION = {"DEBUG": "0", "LOCAL_HTTP": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "starter.example.com"}


def run_django(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The run's own DATABASE_URL (CI's PostgreSQL pass) would win over what a test sets up.
    unset = (
        "DEBUG",
        "SECRET_KEY",
        "LOCAL_HTTP",
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
    )
    clean = {key: value for key, value in os.environ.items() if key not in unset}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "project.settings", **env},
        capture_output=True,
        text=True,
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Not DJANGO_ALLOW_ASYNC_UNSAFE either: tests/browser/conftest.py sets it for the whole run, and
    # check --deploy reports it (async.E001).
    unset = ("DEBUG", "SECRET_KEY", "LOCAL_HTTP", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {key: value for key, value in os.environ.items() if key not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_the_documented_production_environment_passes_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_launchpad_entrance_on_passes_check_deploy_with_the_gateways_origin():
    """`make serve` with gateway sign-in on (docs/configuration.md, "The Launchpad entrance")."""
    launchpad = {**PRODUCTION, "MINDSPHERE_GATEWAY_SIGN_IN": "1", "CSRF_TRUSTED_ORIGINS": ""}
    trusted = {**launchpad, "CSRF_TRUSTED_ORIGINS": "https://*.eu1.mindsphere.io"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=trusted)
    assert result.returncode == 0, result.stderr + result.stdout
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=launchpad)
    assert result.returncode != 0 and "sso.W002" in result.stderr + result.stdout


@pytest.mark.parametrize(
    "key",
    [None, "short", "django-insecure-" + "x" * 60, "ab" * 40],
    ids=["development-default", "short", "django-insecure", "few-characters"],
)
def test_debug_off_refuses_a_weak_or_default_secret_key(key):
    env = (
        {**PRODUCTION, "SECRET_KEY": key}
        if key
        else {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    )
    result = manage("check", env=env)
    assert result.returncode != 0 and "project.E001" in result.stderr


def test_manage_py_on_a_fresh_clone_needs_no_setting():
    """What docs/role-home-pages.md has a newcomer type: with no SECRET_KEY set, manage.py runs with DEBUG on."""
    debug = "from django.conf import settings; print(settings.DEBUG)"
    result = manage("check", env={})
    assert result.returncode == 0 and "project.E001" not in result.stderr, result.stderr
    assert manage("shell", "-v0", "-c", debug, env={}).stdout.strip() == "True"
    # A deployment sets SECRET_KEY: DEBUG keeps its default, off.
    assert manage("shell", "-v0", "-c", debug, env={"SECRET_KEY": STRONG_KEY}).stdout.strip() == "False"


def test_secure_by_default_without_debug():
    code = (
        "from django.conf import settings as s; import json; print(json.dumps([s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_REDIRECT_EXEMPT]))"
    )
    production = json.loads(run_django(code, PRODUCTION).stdout)
    assert production == [True, 31536000, True, True, ["^healthz$", "^readyz$"]]
    local = json.loads(run_django(code, {"DEBUG": "0", "SECRET_KEY": STRONG_KEY}).stdout)  # LOCAL_HTTP defaults to on
    assert local[:4] == [False, 0, False, False]


# --- headers on every page ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/healthz", "/offline/", "/manifest.webmanifest", "/admin/login/"])
def test_every_page_carries_the_security_headers(client, db, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    emulator = f"http://127.0.0.1:{os.environ.get('EMULATOR_PORT') or 8001}"  # the development default follows it
    assert f"form-action 'self' {emulator}" in csp  # the emulator's sign-in host
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_form_action_names_the_mindsphere_sign_in_hosts(client, db, settings):
    settings.MINDSPHERE_AUTH_URL = "https://{tenant}.piam.{region}.mindsphere.io"
    assert "form-action 'self' https://*.piam.eu1.mindsphere.io" in client.get("/").headers["Content-Security-Policy"]


def test_hsts_and_ssl_redirect_when_served_over_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    assert client.get("/").status_code == 301  # plain http goes to https
    assert client.get("/healthz").status_code == 200  # probes stay on http
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_tls_router_the_callback_url_is_https(client, db, settings, emulator):
    """TRUST_X_FORWARDED_PROTO: the router's X-Forwarded-Proto makes the OAuth callback https."""
    from tests.conftest import point_app_at

    point_app_at(settings, emulator)  # starting a sign-in first checks that the tenant exists
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    page = client.get("/", headers={"X-Forwarded-Proto": "https"})
    response = client.post(
        "/accounts/mindsphere/login/",
        {"tenant": "acme", "csrfmiddlewaretoken": page.context["csrf_token"]},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 302
    assert "redirect_uri=https%3A%2F%2Ftestserver" in response.headers["Location"]


def test_trust_x_forwarded_proto_is_off_by_default():
    code = "from django.conf import settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    assert run_django(code, {}).stdout.strip() == "None"
    assert "HTTP_X_FORWARDED_PROTO" in run_django(code, {"TRUST_X_FORWARDED_PROTO": "1"}).stdout


# --- health -------------------------------------------------------------------------------------


def test_healthz_answers_without_session_or_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert not response.cookies


def test_readyz_checks_database_cache_and_broker(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "database": "ok", "cache": "ok", "broker": "ok"}


def test_readyz_names_what_failed(client, db):
    from project.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there: an outright network failure
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = saved
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False and body["database"] == "ok" and body["broker"].startswith("failed")


# --- Cloud Foundry's VCAP_SERVICES ----------------------------------------------------------------

VCAP = {
    "postgres": [
        {
            "name": "starter-db",
            "label": "postgres",
            "tags": ["postgresql", "relational"],
            "credentials": {"uri": "postgres://u:p@db.internal:5432/starter"},
        }
    ],
    "redis": [
        {
            "name": "starter-cache",
            "label": "redis",
            "tags": ["redis", "key-value"],
            "credentials": {"uri": "redis://:secret@cache.internal:6379/0"},
        }
    ],
}


def test_services_come_from_vcap_services():
    code = (
        "from django.conf import settings as s; import json; d = s.DATABASES['default']; print(json.dumps([d['ENGINE'], "
        "d['HOST'], d['NAME'], s.CACHES['default']['LOCATION'], s.SESSION_ENGINE, s.CELERY_BROKER_URL]))"
    )
    result = run_django(code, {"VCAP_SERVICES": json.dumps(VCAP)})
    assert json.loads(result.stdout) == [
        "django.db.backends.postgresql",
        "db.internal",
        "starter",
        "redis://:secret@cache.internal:6379/0",
        "django.contrib.sessions.backends.cached_db",
        "redis://:secret@cache.internal:6379/0",
    ]
    explicit = run_django(code, {"VCAP_SERVICES": json.dumps(VCAP), "DATABASE_URL": "sqlite:////tmp/x.sqlite3"})
    assert json.loads(explicit.stdout)[0] == "django.db.backends.sqlite3"  # an explicit DATABASE_URL wins


# --- nothing grows without bound ------------------------------------------------------------------


def test_abandoned_sign_ins_leave_no_sessions_after_housekeeping(client, db, settings, emulator):
    import time_machine
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from sso.tasks import clear_expired_sessions
    from tests.conftest import point_app_at

    point_app_at(settings, emulator)  # starting a sign-in first checks that the tenant exists

    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(200):
            client.cookies.clear()  # a new browser each time, that never comes back from MindSphere
            assert client.post("/accounts/mindsphere/login/", {"tenant": "acme"}).status_code == 302
        assert Session.objects.count() == 200
        clear_expired_sessions()
        assert Session.objects.count() == 200  # not yet expired
        clock.shift(16 * 60)
        clear_expired_sessions()
    assert Session.objects.count() == 0
