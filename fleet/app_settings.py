"""The fleet app's settings and their defaults (the pattern: mindsphere/app_settings.py)."""

from __future__ import annotations

from mindsphere.app_settings import AppSettingsBase


class AppSettings(AppSettingsBase):
    # Seconds between two runs of the fleet overview for a tenant (Celery beat looks every 30 s
    # which tenants are due); an overview older than three intervals says so on the page.
    ASSETS_OVERVIEW_INTERVAL: int = 300
    # An asset whose time series has no record in the last so many seconds is "not reporting".
    ASSETS_STALE_AFTER: int = 3600


app_settings = AppSettings()
