"""CSV exports of an asset's time series, made in the background by Celery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .texts import export_message


class Export(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Exporting")
        RETRYING = "retrying", _("MindSphere is not reachable, retrying")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.RETRYING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    tenant = models.CharField(max_length=63)
    # The session whose tokens the worker uses; gone when that session signs out.
    token_record = models.ForeignKey("sso.TokenRecord", null=True, blank=True, on_delete=models.SET_NULL)
    technical = models.BooleanField(
        default=False,
        help_text="Started through MindSphere's gateway: read with the app's own token for the tenant "
        "(the request's token lives 30 minutes and only the gateway renews it).",
    )
    asset_id = models.CharField(max_length=64)
    asset_name = models.CharField(max_length=200)
    property_set = models.CharField(max_length=100)
    variables = models.JSONField(default=list)
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(
        blank=True, help_text="In English, for the admin and the logs; pages show message_code translated."
    )
    message_code = models.CharField(max_length=30, blank=True, help_text="A key of assets.texts.EXPORT_MESSAGES.")
    message_values = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.asset_name} {self.property_set} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def shown_message(self) -> str:
        """The message in the language of the person reading it."""
        return export_message(self.message_code, self.message_values) or self.message

    @property
    def filename(self) -> str:
        # Both names come from MindSphere: keep letters, digits, '-' and '_' only ("../x" is no path).
        asset, data = _file_part(self.asset_name, "asset"), _file_part(self.property_set, "data")
        return f"{asset}-{data}-{self.start:%Y%m%d}-{self.end:%Y%m%d}.csv"


def _file_part(name: str, default: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-") or default
