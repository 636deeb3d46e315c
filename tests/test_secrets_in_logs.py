"""No secret in any log line, at any level: sign-in, refresh and an export at LOG_LEVEL=DEBUG."""

from __future__ import annotations

import io
import logging
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from assets.models import Export
from project.logging import RedactingFormatter, redact
from sso.app_settings import app_settings
from sso.models import TokenRecord
from tests.assets.test_export_task import make_export
from tests.assets.test_worker import send, wait_for
from tests.celery_worker import needs_redis
from tests.conftest import session_check
from tests.tokens import set_expiries

NOISY = ["", "requests_oauthlib", "oauthlib", "urllib3", "django", "allauth", "sso", "assets", "celery"]


@pytest.fixture
def debug_logs():
    """Every logger at DEBUG; what the app's own console handler (settings.LOGGING) writes, read back."""
    (console,) = [
        handler for handler in logging.getLogger().handlers if isinstance(handler.formatter, RedactingFormatter)
    ]
    saved = {name: logging.getLogger(name).level for name in NOISY}
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG)
    written = io.StringIO()
    previous = console.setStream(written)
    yield written.getvalue
    console.setStream(previous)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_sign_in_refresh_and_export_log_no_secret(short_lived, settings, debug_logs, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    from project.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    try:
        app, emulator = short_lived(EMULATOR_ACCESS_TOKEN_SECONDS=100)  # inside the leeway: every check refreshes
        result = app.sign_in("acme", "user@acme.example")
        secrets = _secrets_of(result)
        assert session_check(app, result.browser).status_code == 204  # a refresh
        secrets |= _record_secrets()
        today = date.today().isoformat()
        page = result.browser.get(app.url("/assets/"), timeout=30).text
        asset_id = re.search(r'href="/assets/([^/"]+)/"', page).group(1)
        response = app.post(
            result.browser,
            f"/assets/{asset_id}/export/",
            {"property_set": "Environment", "variables": "temperature", "start": today, "end": today},
        )
        assert response.status_code in (201, 302)
        secrets |= _record_secrets()
    finally:
        celery_app.conf.task_always_eager = False
    logs = debug_logs()
    # The logs were really captured, with the libraries that handle tokens talking at DEBUG.
    assert "Refreshed MindSphere access token" in logs and "DEBUG requests_oauthlib" in logs and "[redacted]" in logs
    leaked = sorted(secret[:12] + "…" for secret in secrets if secret and secret in logs)
    assert leaked == [], f"secrets in the log: {leaked}"
    assert app_settings.MINDSPHERE_CLIENT_SECRET not in logs
    assert Export.objects.get().status == Export.Status.DONE


def _secrets_of(result) -> set[str]:
    found = set()
    for hop in result.hops:
        query = parse_qs(urlsplit(hop.headers.get("Location", "")).query)
        found |= set(query.get("code", [])) | set(query.get("state", []))
    return found | _record_secrets()


def _record_secrets() -> set[str]:
    return {value for record in TokenRecord.objects.all() for value in (record.access_token, record.refresh_token)}


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("GET /accounts/mindsphere/login/callback/?code=abc123XYZ&state=s7s7s7", "abc123XYZ"),
        ("GET /accounts/mindsphere/login/callback/?code=abc123XYZ&state=s7s7s7", "s7s7s7"),
        ("Token response: {'access_token': 'opaque-token-value', 'token_type': 'bearer'}", "opaque-token-value"),
        ('{"refresh_token": "opaque-refresh", "expires_in": 1800}', "opaque-refresh"),
        ("body: grant_type=refresh_token&refresh_token=r3fr3sh&client_secret=s3cr3t", "r3fr3sh"),
        ("body: grant_type=refresh_token&refresh_token=r3fr3sh&client_secret=s3cr3t", "s3cr3t"),
        ("headers {'Authorization': 'Basic bW9iaWxlOnNlY3JldA=='}", "bW9iaWxlOnNlY3JldA=="),
        ("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "eyJhbGciOiJSUzI1NiJ9"),
        ("a bare eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl in a message", "c2lnbmF0dXJl"),
        ("the client secret local-dev-secret", "local-dev-secret"),
    ],
)
def test_redact(line, secret):
    assert secret not in redact(line)
    assert "[redacted]" in redact(line)


def test_redact_keeps_ordinary_lines():
    line = 'GET /assets/?q=pump HTTP/1.1" 200 status_code=200'
    assert redact(line) == line


def test_json_log_lines(settings):
    import json

    record = logging.LogRecord("sso", logging.INFO, __file__, 1, "token %s", ("eyJhbGciOi.eyJzdWIiOi.c2lnbmF0",), None)
    line = json.loads(RedactingFormatter(as_json=True).format(record))
    assert line["level"] == "INFO" and line["logger"] == "sso" and "eyJ" not in line["message"]


@needs_redis
def test_a_worker_at_debug_refreshing_and_exporting_logs_no_secret(app, start_worker, celery_redis_url):
    """Celery installs its own log handlers at `--loglevel=DEBUG`: the records are redacted all the same."""
    app.sign_in("acme", "user@acme.example")
    record = TokenRecord.objects.get()
    secrets = _record_secrets()
    set_expiries([record], access=timezone.now())  # the worker refreshes before it exports
    worker = start_worker("DEBUG")
    export = make_export(record, hours=2)
    send(export, celery_redis_url)
    wait_for(export, lambda e: e.status == Export.Status.DONE, 60, worker)
    secrets |= _record_secrets()
    log = worker.log_path.read_text()
    # Really at DEBUG, with the libraries that handle tokens talking, and a refresh made.
    assert "DEBUG/MainProcess" in log and "[redacted]" in log
    leaked = sorted(secret[:12] + "…" for secret in secrets if secret and secret in log)
    assert leaked == [], f"secrets in the worker's log: {leaked}"
    assert app_settings.MINDSPHERE_CLIENT_SECRET not in log


def test_runserver_request_lines_are_redacted(settings):
    """`make run`'s app logs each request through Django's own `django.server` handler and formatter."""
    handler = logging.getLogger("django.server").handlers[0]
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /accounts/mindsphere/login/callback/?code=abc123XYZ&state=s7s7s7 HTTP/1.1", 302, 0
        )
    finally:
        handler.setStream(previous)
    line = written.getvalue()
    assert "/accounts/mindsphere/login/callback/" in line and "302" in line
    assert "abc123XYZ" not in line and "s7s7s7" not in line
