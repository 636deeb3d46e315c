"""A log formatter that keeps secrets out of every line, whoever logged it and at whatever level.

requests-oauthlib, oauthlib and urllib3 log token responses, form bodies and headers at DEBUG;
gunicorn and Django log URLs with their query strings. Redacting the formatted line (message and
traceback together) covers them all: tokens (JWTs and opaque values after a known key), codes,
client secrets, Authorization headers (X-SPACE-AUTH-KEY's Basic too) and the configured secrets themselves.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from typing import Any

REDACTED = "[redacted]"
SECRET_KEYS = r"access_token|refresh_token|id_token|code|client_secret|code_verifier|password|state|secret"
PATTERNS = [
    # A JWT (header.payload.signature, base64url) anywhere: MindSphere's access and refresh tokens.
    re.compile(r"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*"),
    # key=value in query strings and form bodies; "key": "value" and 'key': 'value' in JSON and dict reprs.
    re.compile(rf"(?i)\b({SECRET_KEYS})=[^&\s\"',]+"),
    re.compile(rf"(?i)([\"']({SECRET_KEYS})[\"']\s*:\s*)[\"'][^\"']*[\"']"),
    # Authorization headers (Basic carries the client secret, Bearer the access token).
    re.compile(r"(?i)\b(Basic|Bearer)\s+[\w\-.~+/=%]+"),
]


def redact(text: str) -> str:
    """`text` with every secret it carries replaced by [redacted]."""
    from sso.app_settings import app_settings

    text = PATTERNS[0].sub(REDACTED, text)
    text = PATTERNS[1].sub(lambda match: f"{match.group(1)}={REDACTED}", text)
    text = PATTERNS[2].sub(lambda match: f'{match.group(1)}"{REDACTED}"', text)
    text = PATTERNS[3].sub(lambda match: f"{match.group(1)} {REDACTED}", text)
    # The configured secrets themselves: the sign-in client's and the app's own (Token Management Service).
    for secret in (app_settings.MINDSPHERE_CLIENT_SECRET, app_settings.MDSP_KEY_STORE_CLIENT_SECRET):
        if len(secret) >= 8:
            text = text.replace(secret, REDACTED)
    return text


def configure(config: dict[str, Any]) -> None:
    """`LOGGING_CONFIG`: `settings.LOGGING`, and every log record redacted as it is made.

    Redacting records, not only our handler's lines, covers the handlers others install with their own
    formatters: Django's `django.server` (runserver's request lines, the sign-in callback's `code` and
    `state`), Celery's worker and beat at any `--loglevel`, gunicorn's error log.
    """
    logging.config.dictConfig(config)
    install_record_redaction()


def install_record_redaction() -> None:
    """Wrap the log record factory (once per process) so each record's message, traceback and stack are
    redacted before any handler sees them. Records of a level nobody logs are never made, so this costs
    nothing for them."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "redacts", False):
        return

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(make_record(*args, **kwargs))

    redacted_record.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacted_record)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """`record` with its message (arguments merged in), traceback and stack redacted."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a wrong format: left for the handler's own error report
        return record
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text once set: the traceback is formatted (and redacted) here, once.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactingFormatter(logging.Formatter):
    """`LOG_FORMAT=json` gives one JSON object a line (time, level, logger, message); else plain text."""

    def __init__(self, *args, as_json: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        if not self.as_json:
            return redact(super().format(record))
        message = record.getMessage() + (f"\n{self.formatException(record.exc_info)}" if record.exc_info else "")
        line = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name, "message": message}
        return redact(json.dumps(line, ensure_ascii=False))
