from __future__ import annotations

from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "fleet"
    verbose_name = "Fleet overview: each tenant's assets and those not reporting, kept up to date in the background"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)
