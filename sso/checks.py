"""System checks for the MindSphere settings (ids sso.E001...; see docs/configuration.md)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from mindsphere.hosts import fill

from .app_settings import app_settings
from .tenants import insecure

APP_NAME = re.compile(r"[a-z][a-z0-9-]{0,19}")


@register()
def check_mindsphere_settings(app_configs=None, **kwargs) -> list:
    errors: list[CheckMessage] = []
    auth_url = app_settings.MINDSPHERE_AUTH_URL
    if "{tenant}" not in auth_url:
        errors.append(
            Error(
                "MINDSPHERE_AUTH_URL must contain the {tenant} placeholder.",
                hint="e.g. https://{tenant}.piam.{region}.mindsphere.io",
                id="sso.E001",
            )
        )
    for name in ("MINDSPHERE_AUTH_URL", "MINDSPHERE_GATEWAY_URL"):
        try:
            url = fill(getattr(app_settings, name), "tenant")
        except (KeyError, IndexError, ValueError, AttributeError):  # AttributeError: e.g. "{region.name}"
            errors.append(
                Error(f"{name} has an unknown placeholder.", hint="Use {tenant} and {region} only.", id="sso.E001")
            )
            continue
        if insecure(url):
            errors.append(
                Error(
                    f"{name} must use https (plain http is allowed on 127.0.0.1, localhost and ::1 only).",
                    id="sso.E002",
                )
            )
    if not APP_NAME.fullmatch(app_settings.MINDSPHERE_APP_NAME):
        errors.append(
            Error(
                "MINDSPHERE_APP_NAME must be lowercase letters, digits and '-', start with a letter, "
                "at most 20 characters.",
                id="sso.E003",
            )
        )
    if getattr(settings, "SOCIALACCOUNT_STORE_TOKENS", False):
        errors.append(
            Error("SOCIALACCOUNT_STORE_TOKENS must be False: tokens are kept encrypted by sso only.", id="sso.E004")
        )
    if app_settings.MINDSPHERE_TOKEN_LEEWAY <= app_settings.MINDSPHERE_CHECK_INTERVAL:
        errors.append(
            Warning(
                "MINDSPHERE_TOKEN_LEEWAY should be larger than MINDSPHERE_CHECK_INTERVAL, so an open page "
                "refreshes the token before it expires.",
                id="sso.W001",
            )
        )
    errors.extend(_gateway_sign_in_checks())
    return errors


def _gateway_sign_in_checks() -> list[CheckMessage]:
    """The Launchpad entrance (sso.bearer, sso.osbar): what it needs when it is on."""
    if not app_settings.MINDSPHERE_GATEWAY_SIGN_IN:
        return []
    errors: list[CheckMessage] = []
    try:
        osbar = fill(app_settings.MINDSPHERE_OSBAR_URL, "")
    except (KeyError, IndexError, ValueError, AttributeError):
        osbar = ""
    if not app_settings.MINDSPHERE_REGION or not osbar or (not osbar.startswith("/") and insecure(osbar)):
        errors.append(
            Error(
                "MINDSPHERE_GATEWAY_SIGN_IN is on, but there is no OS Bar to load: MINDSPHERE_REGION and "
                "MINDSPHERE_OSBAR_URL must give an https URL (or a path on the gateway's origin).",
                hint="Every Launchpad app must load the OS Bar (docs/launchpad.md).",
                id="sso.E005",
            )
        )
    if not getattr(settings, "CSRF_TRUSTED_ORIGINS", None):
        errors.append(
            Warning(
                "MINDSPHERE_GATEWAY_SIGN_IN is on, but CSRF_TRUSTED_ORIGINS is empty: POSTs through the gateway "
                "come from its origin and fail Django's CSRF check.",
                hint="e.g. CSRF_TRUSTED_ORIGINS=https://*.eu1.mindsphere.io",
                id="sso.W002",
            )
        )
    return errors
