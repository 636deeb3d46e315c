"""The assets app's settings and their defaults (the pattern: mindsphere/app_settings.py)."""

from __future__ import annotations

from mindsphere.app_settings import AppSettingsBase
from navigation.homes import home_roles


class AppSettings(AppSettingsBase):
    # Longest range of one CSV export, in days.
    ASSETS_EXPORT_MAX_DAYS: int = 30
    # Exports one person may have waiting or running at once.
    ASSETS_MAX_ACTIVE_EXPORTS: int = 3
    # Exports older than this are deleted with their files (hourly, by beat).
    ASSETS_EXPORT_MAX_AGE_HOURS: int = 24
    # Retries of an export while MindSphere is unreachable, too slow or rate-limited. Each waits
    # 1, 2, 4… s, at most ASSETS_EXPORT_MAX_BACKOFF, and at least the answer's Retry-After
    # (assets.tasks.retry_delay): 8 retries wait about 2 minutes, so a minute's outage is ridden out.
    ASSETS_EXPORT_MAX_RETRIES: int = 8
    # The longest wait between two retries of an export, in seconds.
    ASSETS_EXPORT_MAX_BACKOFF: int = 30
    # The roles (Django groups) that may open the asset pages and exports, separated by commas;
    # empty: every role with a home page (navigation/homes.py), so a new role gets them too.
    ASSETS_ROLES: str = ""


app_settings = AppSettings()


def asset_roles() -> frozenset[str]:
    """The roles of the asset pages and exports: ASSETS_ROLES, else every role with a home page."""
    named = frozenset(role.strip() for role in app_settings.ASSETS_ROLES.split(",") if role.strip())
    return named or home_roles()
