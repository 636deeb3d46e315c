from django.apps import AppConfig


class NavigationConfig(AppConfig):
    name = "navigation"
    verbose_name = "Role home pages and navigation"

    def ready(self) -> None:
        from django.utils.autoreload import autoreload_started

        from . import checks  # noqa: F401  (registers the system checks)
        from . import wellknown  # noqa: F401  (registers the .well-known system checks)

        autoreload_started.connect(_watch_role_homes, dispatch_uid="navigation.watch_role_homes")


def _watch_role_homes(sender, **kwargs) -> None:
    """Restart `runserver` when `startrolehome` adds a role home (role_homes.json is data, not code)."""
    from .registry import DATA_FILE

    sender.watch_dir(DATA_FILE.parent, DATA_FILE.name)
