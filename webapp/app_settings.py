"""The webapp app's settings and their defaults (see sso/app_settings.py for the pattern)."""
from __future__ import annotations

from django.conf import settings


class AppSettings:
    # Android App Links (/.well-known/assetlinks.json): the app's package and signing certificates.
    ANDROID_APP_PACKAGE: str = ""
    ANDROID_APP_SHA256_FINGERPRINTS: list[str] = []
    # iOS Universal Links and shared web credentials (/.well-known/apple-app-site-association).
    IOS_APP_IDS: list[str] = []
    IOS_APP_PATHS: list[str] = ["/*"]

    def __getattribute__(self, name: str):
        default = object.__getattribute__(self, name)
        return getattr(settings, name, default) if name.isupper() else default


app_settings = AppSettings()
