from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SsoConfig(AppConfig):
    default = True
    name = "sso"
    verbose_name = "MindSphere sign-in"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers system checks and signal receivers)
        from .tenants import configured_urls, insecure

        # oauthlib refuses plain http. The local emulator speaks http on loopback only, so allow
        # that case and no other (sso.E002 reports http anywhere else).
        try:
            urls = configured_urls()
        except (KeyError, IndexError, ValueError, AttributeError):
            return  # a bad placeholder: sso.E001 reports it
        if not any(insecure(url) for url in urls) and any(urlsplit(url).scheme == "http" for url in urls):
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")


class OperatorAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the operators-only site (sso/admin_site.py)."""

    default = False  # listed by its path in INSTALLED_APPS; SsoConfig is the sso app's config
    default_site = "sso.admin_site.OperatorAdminSite"
