from __future__ import annotations

from django.apps import AppConfig


class WebappConfig(AppConfig):
    name = "webapp"
    verbose_name = "Installable web app and .well-known files"

    def ready(self) -> None:
        from . import wellknown  # noqa: F401  (registers the .well-known system checks)
