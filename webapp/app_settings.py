"""The webapp app's settings and their defaults (the pattern: mindsphere/app_settings.py)."""

from __future__ import annotations

from mindsphere.app_settings import AppSettingsBase


class AppSettings(AppSettingsBase):
    # Android App Links (/.well-known/assetlinks.json): the app's package and signing certificates.
    ANDROID_APP_PACKAGE: str = ""
    ANDROID_APP_SHA256_FINGERPRINTS: list[str] = []
    # iOS Universal Links and shared web credentials (/.well-known/apple-app-site-association).
    IOS_APP_IDS: list[str] = []
    IOS_APP_PATHS: list[str] = ["/*"]


app_settings = AppSettings()
