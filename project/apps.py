from __future__ import annotations

from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "project"
    verbose_name = "Deployment"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
