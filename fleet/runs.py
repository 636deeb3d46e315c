"""Running the fleet overview: which tenants are due, one run per tenant at a time, and what it stores.

A run holds its tenant with a lease in the tenant's row (`running_until`, `run_id`), taken by one
conditional UPDATE, so two workers, two beats or a slow run never run a tenant twice at once, on
SQLite and PostgreSQL alike, with no transaction held open across MindSphere's answers (on SQLite
an open write transaction would stop every other writer). A run renews its lease while it works;
the lease of a worker that died runs out after LEASE. The outcome and the release are one UPDATE
that names the run, so a run that lost its lease never overwrites a newer one's.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from mindsphere.api import MindSphereClient
from mindsphere.exceptions import (
    MindSphereAPIError,
    ProviderUnavailableError,
    RateLimitedError,
    TechnicalTokenRefusedError,
)
from mindsphere.technical import TechnicalTokens
from sso.models import MindSphereIdentity

from .app_settings import app_settings
from .models import FleetOverview
from .survey import survey

logger = logging.getLogger(__name__)
# Set when the Celery worker begins its warm shutdown (fleet.tasks): then MindSphere (under `make run`,
# the emulator stopped by the same Ctrl-C) going away mid-run is expected, not worth a warning.
worker_stopping = threading.Event()

LEASE = timedelta(minutes=2)  # renewed every LEASE / 4 while the run works
FIRST_BACKOFF = 30  # seconds after a first outage or 429; doubling, at most the interval
REFRESH_EVERY = timedelta(minutes=1)  # a tenant's admins may ask for a fresh run this often
DONE, BUSY, FAILED = "done", "busy", "failed"


class LeaseLost(Exception):
    """The run held the tenant longer than its lease without renewing it; another run has it now."""


def tenants_in_use() -> list[str]:
    """The tenants people have signed in from (as Mendix's DS_GetAccessTokenForScheduledEvents loops over)."""
    return list(
        MindSphereIdentity.objects.exclude(tenant="").order_by("tenant").values_list("tenant", flat=True).distinct()
    )


def claim_due_tenants(now: datetime | None = None) -> list[str]:
    """The tenants whose overview is due, each claimed for this caller (two beats: one claims it).

    Claiming moves `next_run_at` one interval on; the run sets it again from its outcome.
    """
    now = now or timezone.now()
    tenants = tenants_in_use()
    known = set(FleetOverview.objects.filter(tenant__in=tenants).values_list("tenant", flat=True))
    new = [FleetOverview(tenant=tenant) for tenant in tenants if tenant not in known]
    FleetOverview.objects.bulk_create(new, ignore_conflicts=True)  # (another beat may add them at the same time)
    due = FleetOverview.objects.filter(tenant__in=tenants).filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
    later = now + timedelta(seconds=app_settings.ASSETS_OVERVIEW_INTERVAL)
    claimed = []
    for tenant, next_run_at in due.values_list("tenant", "next_run_at"):
        if FleetOverview.objects.filter(tenant=tenant, next_run_at=next_run_at).update(next_run_at=later):
            claimed.append(tenant)
    return claimed


def request_refresh(tenant: str, now: datetime | None = None) -> bool:
    """A tenant admin's "refresh now": True if granted, False if the tenant asked less than REFRESH_EVERY ago."""
    now = now or timezone.now()
    FleetOverview.objects.bulk_create([FleetOverview(tenant=tenant)], ignore_conflicts=True)
    # (A request "in the future" is one from before the clock was set back: it does not count.)
    allowed = Q(requested_at__isnull=True) | Q(requested_at__lte=now - REFRESH_EVERY) | Q(requested_at__gt=now)
    return bool(FleetOverview.objects.filter(allowed, tenant=tenant).update(requested_at=now))


def refresh(tenant: str) -> str:
    """Compute the tenant's overview now with the app's own token.

    DONE, FAILED (recorded on the tenant's row) or BUSY (another run holds the tenant).
    """
    run = _claim(tenant)
    if run is None:
        logger.info("Fleet overview of %s: another run is at it", tenant)
        return BUSY
    try:
        cutoff = timezone.now() - timedelta(seconds=app_settings.ASSETS_STALE_AFTER)
        result = survey(MindSphereClient(TechnicalTokens(tenant), tenant), cutoff, progress=run.keep)
    except LeaseLost:
        logger.warning("Fleet overview of %s: the run lost its hold on the tenant; its result is dropped", tenant)
        return BUSY
    except Exception as error:  # noqa: BLE001 - every failure is recorded; one tenant's never stops another's
        run.failed(error)
        return FAILED
    run.done(result.asset_count, result.not_reporting)
    return DONE


class _Run:
    """A run's hold on its tenant's row."""

    def __init__(self, tenant: str, run_id: str, now: datetime) -> None:
        self.tenant, self.run_id, self.renewed = tenant, run_id, now

    def _mine(self):
        return FleetOverview.objects.filter(tenant=self.tenant, run_id=self.run_id)

    def keep(self) -> None:
        now = timezone.now()
        if now - self.renewed < LEASE / 4:
            return
        if not self._mine().update(running_until=now + LEASE):
            raise LeaseLost(self.tenant)
        self.renewed = now

    def done(self, asset_count: int, not_reporting: list[dict]) -> None:
        now = timezone.now()
        stored = self._mine().update(
            asset_count=asset_count,
            not_reporting=not_reporting,
            computed_at=now,
            error_code="",
            error_message="",
            failures=0,
            next_run_at=now + timedelta(seconds=app_settings.ASSETS_OVERVIEW_INTERVAL),
            **_released(),
        )
        if stored:
            logger.info(
                "Fleet overview of %s: %s assets, %s not reporting", self.tenant, asset_count, len(not_reporting)
            )

    def failed(self, error: Exception) -> None:
        code, message, retry_after = _failure(self.tenant, error)
        row = self._mine().first()
        failures = (row.failures if row else 0) + 1
        now = timezone.now()
        self._mine().update(
            error_code=code,
            error_message=message[:500],
            error_at=now,
            failures=failures,
            next_run_at=now + _wait_after(code, failures, retry_after),
            **_released(),
        )


def _claim(tenant: str) -> _Run | None:
    now = timezone.now()
    run_id = uuid.uuid4().hex
    FleetOverview.objects.bulk_create([FleetOverview(tenant=tenant)], ignore_conflicts=True)
    free = Q(running_until__isnull=True) | Q(running_until__lt=now)
    if not FleetOverview.objects.filter(free, tenant=tenant).update(running_until=now + LEASE, run_id=run_id):
        return None
    return _Run(tenant, run_id, now)


def _released() -> dict:
    return {"running_until": None, "run_id": ""}


def _failure(tenant: str, error: Exception) -> tuple[str, str, int | None]:
    """(code, MindSphere's message or "", seconds MindSphere asked to wait) of a failed run; logged here."""
    if isinstance(error, TechnicalTokenRefusedError):
        code = "credentials_refused" if error.status == 401 else "not_permitted"
        logger.warning("Fleet overview of %s: no technical token (%s): %s", tenant, error.status, error.message)
        return code, error.message, None
    if isinstance(error, RateLimitedError):
        logger.warning("Fleet overview of %s: MindSphere's rate limit (Retry-After %s)", tenant, error.retry_after)
        return "rate_limited", "", error.retry_after
    if isinstance(error, ProviderUnavailableError):
        if worker_stopping.is_set():
            logger.info("Fleet overview of %s: not finished, the worker is stopping; the next run tries again", tenant)
        else:
            logger.warning("Fleet overview of %s: MindSphere unreachable: %s", tenant, error)
        return "unreachable", "", error.retry_after
    if isinstance(error, MindSphereAPIError):
        logger.warning("Fleet overview of %s: MindSphere answered %s: %s", tenant, error.status, error.message)
        return "mindsphere_error", error.message, None
    logger.error("Fleet overview of %s: unexpected failure", tenant, exc_info=error)
    return "unexpected", "", None


def _wait_after(code: str, failures: int, retry_after: int | None) -> timedelta:
    """How long a tenant rests after a failed run: outages and 429s back off (30 s, 60 s, …), others an interval."""
    interval = app_settings.ASSETS_OVERVIEW_INTERVAL
    if code not in ("rate_limited", "unreachable"):
        return timedelta(seconds=interval)
    backoff = min(interval, FIRST_BACKOFF * 2 ** min(failures - 1, 16))
    return timedelta(seconds=max(backoff, retry_after or 0))
