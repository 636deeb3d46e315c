from __future__ import annotations

from django.apps import AppConfig


class BlocksConfig(AppConfig):
    name = "blocks"
    verbose_name = "Blocks of role home pages"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
