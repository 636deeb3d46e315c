"""The fleet app's data: one overview per tenant, written by the background job, read by every role home."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

from .app_settings import app_settings
from .texts import failure_message


class FleetOverview(models.Model):
    """A tenant's fleet as the last successful run saw it, and how the latest run went.

    A failed run changes only the error fields and when to try again: the last good counts stay.
    """

    tenant = models.CharField(max_length=63, unique=True)
    asset_count = models.PositiveIntegerField(null=True, blank=True, help_text="Empty until the first run succeeds.")
    not_reporting = models.JSONField(
        default=list,
        blank=True,
        help_text='Assets with no time series record lately: [{"assetId", "name", "lastSeen": ISO 8601 or null}].',
    )
    computed_at = models.DateTimeField(null=True, blank=True, help_text="When the last successful run finished.")
    error_code = models.CharField(
        max_length=40, blank=True, help_text="Why the latest run failed (fleet.texts.FAILURES); empty after a success."
    )
    error_message = models.CharField(max_length=500, blank=True, help_text="MindSphere's own words, when it gave any.")
    error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed runs since the last success (the back-off).")
    next_run_at = models.DateTimeField(null=True, blank=True, help_text="When the tenant is due again; empty: now.")
    running_until = models.DateTimeField(
        null=True, blank=True, help_text="A run holds the tenant until then (renewed while it runs)."
    )
    run_id = models.CharField(max_length=32, blank=True, help_text="The run that holds the tenant.")
    requested_at = models.DateTimeField(null=True, blank=True, help_text="A tenant admin's latest 'refresh now'.")

    class Meta:
        ordering = ["tenant"]
        verbose_name = "fleet overview"

    def __str__(self) -> str:
        return f"fleet overview of {self.tenant}"

    @property
    def not_reporting_count(self) -> int:
        return len(self.not_reporting)

    @property
    def is_stale(self) -> bool:
        """Older than three intervals (or never computed): the page says so."""
        return self.computed_at is None or timezone.now() - self.computed_at > stale_age()

    @property
    def failed_since(self) -> datetime | None:
        """When the latest run failed, if no run has succeeded since."""
        if self.error_code and self.error_at and (self.computed_at is None or self.error_at >= self.computed_at):
            return self.error_at
        return None

    @property
    def failure(self) -> str:
        """Why the latest run failed, in the reader's language."""
        return failure_message(self.error_code)

    @property
    def last_seen_times(self) -> list[dict]:
        """The not-reporting assets with `last_seen` as an aware datetime (None: no record at all), by name."""
        rows = [{**row, "last_seen": _parse(row.get("lastSeen"))} for row in self.not_reporting]
        return sorted(rows, key=lambda row: (str(row.get("name", "")).lower(), str(row.get("assetId", ""))))


def stale_age() -> timedelta:
    return timedelta(seconds=3 * app_settings.ASSETS_OVERVIEW_INTERVAL)


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
