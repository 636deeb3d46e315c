"""Background work: the CSV export of a time series, and removing old exports.

The export task is idempotent and acknowledged late: a worker killed mid-export leaves the message
unacknowledged, another worker runs the task again from the start, and only a complete file is
ever saved. It uses the asking session's token record through the same single-flight refresh as
the web, so a refresh in the worker and one in the web at the same time still make one refresh.
"""

from __future__ import annotations

import csv
import logging
import re
import tempfile
from datetime import timedelta

from celery import shared_task
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.utils import timezone

from mindsphere.api import MindSphereClient
from mindsphere.exceptions import MindSphereAPIError, ProviderTimeoutError, ProviderUnavailableError, RateLimitedError
from mindsphere.technical import TechnicalTokens
from mindsphere.timeseries import parse_time
from sso import tokens
from sso.exceptions import SignedOutError

from .app_settings import app_settings
from .models import Export
from .texts import english

logger = logging.getLogger(__name__)

# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A formula start after a separator Excel may split the cell at (`,`; `;` where the list separator is
# `;`, as in German settings; tab; a line break), optionally opening a quote: that piece becomes a
# cell of its own, so it is neutralised too (OWASP: "take care of the field separator").
FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n][\"']?)(?=[=+\-@])")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def export_time_series(self, export_id: int) -> None:
    export = Export.objects.filter(pk=export_id).first()
    if export is None:
        logger.warning("Export %s no longer exists; nothing to do", export_id)
        return
    if export.status in (Export.Status.DONE, Export.Status.FAILED):
        logger.info("Export %s already %s (a repeated delivery); nothing to do", export_id, export.status)
        return
    _update(export, status=Export.Status.RUNNING, attempts=export.attempts + 1, **_message(""))
    try:
        _run(export)
    except SignedOutError:
        _finish(export, Export.Status.FAILED, "signed_out")
    except MindSphereAPIError as error:
        _finish(export, Export.Status.FAILED, "mindsphere_error", message=error.message)
    except SuspiciousFileOperation as error:
        # Names from MindSphere end up in the file name; one the storage refuses must not leave
        # the export running for ever (the message would be delivered again and fail again).
        logger.error("Export %s: file name refused: %s", export.pk, error)
        _finish(export, Export.Status.FAILED, "file_name")
    except ProviderUnavailableError as retry:
        if self.request.retries >= app_settings.ASSETS_EXPORT_MAX_RETRIES:
            _finish(export, Export.Status.FAILED, "unreachable")
            return
        delay = retry_delay(self.request.retries, retry.retry_after)
        code = _retry_code(retry)
        _update(export, status=Export.Status.RETRYING, **_message(code, delay=delay))
        logger.info("Export %s: %s; retry %s in %s s", export.pk, retry, self.request.retries + 1, delay)
        raise self.retry(countdown=delay) from None


def retry_delay(retries: int, retry_after: int | None = None) -> int:
    """Seconds before retry number `retries + 1`: 1, 2, 4… up to ASSETS_EXPORT_MAX_BACKOFF, never
    less than MindSphere's Retry-After (an emulator's or a proxy's 2 s would end the budget early)."""
    backoff = min(2**retries, app_settings.ASSETS_EXPORT_MAX_BACKOFF)
    return max(backoff, retry_after or 0)


def retry_budget() -> int:
    """Seconds an export waits in all before it gives up (without Retry-After): the outage it rides out."""
    return sum(retry_delay(retries) for retries in range(app_settings.ASSETS_EXPORT_MAX_RETRIES))


def _retry_code(error: ProviderUnavailableError) -> str:
    if isinstance(error, RateLimitedError):
        return "rate_limited_retry"
    return "timeout_retry" if isinstance(error, ProviderTimeoutError) else "unreachable_retry"


def _run(export: Export) -> None:
    header = ["_time", *export.variables]
    span = (export.end - export.start).total_seconds() or 1
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([spreadsheet_safe(name) for name in header])
        rows = 0
        for page in _pages(export):
            for record in page:
                writer.writerow([spreadsheet_safe(record.get(name, "")) for name in header])
            rows += len(page)
            if page:
                done = parse_time(page[-1]["_time"]) - export.start
                _update(export, rows=rows, progress=min(99, int(done.total_seconds() * 100 / span)))
        handle.seek(0)
        if export.file:
            export.file.delete(save=False)
        export.file.save(export.filename, File(handle), save=False)
    export.rows = rows
    _finish(export, Export.Status.DONE, "")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula (OWASP: a leading quote),
    read with a comma or a semicolon as the separator.

    Numbers stay numbers: -3.5 (or the text "-3.5") is written as it is.
    """
    if not isinstance(value, str) or PLAIN_NUMBER.fullmatch(value):
        return value
    value = FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _pages(export: Export):
    """Pages of records; the token is checked before each page, so a long export refreshes in time.

    An export started through MindSphere's gateway reads with the app's own token for the tenant
    (TechnicalTokens renews it itself): the person's token of that request is never refreshed by
    the app and ends after 30 minutes, and a long export must not end with it (docs/launchpad.md).
    """
    if export.technical:
        yield from MindSphereClient(TechnicalTokens(export.tenant), export.tenant).iter_time_series(
            export.asset_id, export.property_set, export.start, export.end, select=export.variables
        )
        return
    client = tokens.api_client(_fresh_record(export))
    for page in client.iter_time_series(
        export.asset_id, export.property_set, export.start, export.end, select=export.variables
    ):
        yield page
        _fresh_record(export)


def _fresh_record(export: Export):
    if export.token_record_id is None:
        raise SignedOutError("the session that asked for the export has ended")
    return tokens.ensure_fresh(export.token_record_id, user_id=export.user_id)


def _update(export: Export, **fields) -> None:
    for name, value in fields.items():
        setattr(export, name, value)
    Export.objects.filter(pk=export.pk).update(**fields)


def _message(code: str, **values) -> dict:
    return {"message_code": code, "message_values": values, "message": english(code, values)}


def _finish(export: Export, status: str, code: str, **values) -> None:
    export.status = status
    for name, value in _message(code, **values).items():
        setattr(export, name, value)
    export.finished = timezone.now()
    if status == Export.Status.DONE:
        export.progress = 100
    # Only the fields this task owns: the token record may have been deleted meanwhile (sign-out).
    export.save(
        update_fields=["status", "message", "message_code", "message_values", "finished", "progress", "rows", "file"]
    )
    logger.info("Export %s finished: %s", export.pk, status)


@shared_task
def delete_old_exports() -> int:
    """Delete exports (and their files) older than ASSETS_EXPORT_MAX_AGE_HOURS."""
    cutoff = timezone.now() - timedelta(hours=app_settings.ASSETS_EXPORT_MAX_AGE_HOURS)
    count = 0
    for export in Export.objects.filter(created__lt=cutoff):
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count
