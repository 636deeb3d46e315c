from __future__ import annotations

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class NavigationConfig(AppConfig):
    name = "navigation"
    verbose_name = "Role home pages and navigation"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .groups import create_role_groups

        # Once per migrate (and flush): post_migrate is sent per app with models, and navigation has none.
        post_migrate.connect(create_role_groups, sender=apps.get_app_config("sso"), dispatch_uid="navigation.groups")
