"""The assets app's settings and their defaults (the pattern: mindsphere/app_settings.py)."""
from __future__ import annotations

from mindsphere.app_settings import AppSettingsBase


class AppSettings(AppSettingsBase):
    # Longest range of one CSV export, in days.
    ASSETS_EXPORT_MAX_DAYS: int = 30
    # Exports one person may have waiting or running at once.
    ASSETS_MAX_ACTIVE_EXPORTS: int = 3
    # Exports older than this are deleted with their files (hourly, by beat).
    ASSETS_EXPORT_MAX_AGE_HOURS: int = 24
    # Retries of an export while MindSphere is unreachable (backoff 1, 2, 4... s, or Retry-After).
    ASSETS_EXPORT_MAX_RETRIES: int = 5


app_settings = AppSettings()
