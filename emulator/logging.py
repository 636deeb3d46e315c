"""The emulator's and its gateway's log lines without the secrets they would otherwise show.

runserver logs every request with its query string: the authorize step's `state` and
`code_challenge`, the gateway's callback `code`. The emulator stands alone (it imports nothing of
the app, .importlinter), so this is its own small version of the app's project/logging.py: records
are redacted as they are made, which covers Django's `django.server` handler too.
"""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any

REDACTED = "[redacted]"
_SECRETS = r"access_token|refresh_token|id_token|code|code_challenge|code_verifier|client_secret|state|password"
_PATTERNS = [
    (re.compile(r"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*"), REDACTED),  # JWTs: the tokens the emulator issues
    (re.compile(rf"(?i)\b({_SECRETS})=[^&\s\"',]+"), rf"\1={REDACTED}"),  # query strings and form bodies
    (re.compile(r"(?i)\b(Basic|Bearer)\s+[\w\-.~+/=%]+"), rf"\1 {REDACTED}"),  # Authorization headers
]


def redact(text: str) -> str:
    """`text` with the tokens, codes and secrets it carries replaced by [redacted]."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def configure(config: dict[str, Any]) -> None:
    """`LOGGING_CONFIG` of the emulator and the gateway: `settings.LOGGING`, every record redacted."""
    logging.config.dictConfig(config)
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "redacts", False):
        return

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        if (redacted := redact(message)) != message:
            record.msg, record.args = redacted, None
        return record

    redacted_record.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacted_record)
