"""`/.well-known/` files that let the native apps open the app's links (docs/well-known.md).

- `assetlinks.json`: Android App Links, from ANDROID_APP_PACKAGE and ANDROID_APP_SHA256_FINGERPRINTS.
- `apple-app-site-association`: iOS Universal Links and shared web credentials, from IOS_APP_IDS
  and IOS_APP_PATHS.

Each answers 404 until configured. System checks webapp.E001 (Android) and webapp.E002 (iOS)
reject values the phones would silently ignore.
"""

from __future__ import annotations

import re

from django.core.checks import Error, register
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from .app_settings import app_settings

# Java package rules as Android applies them: two or more segments, each starting with a letter.
ANDROID_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+")
# A SHA-256 certificate fingerprint as `keytool -list -v` prints it: 32 hex bytes joined by colons.
SHA256_FINGERPRINT = re.compile(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){31}")
# "TEAMID.bundle.id": a 10-character Team ID, then a reverse-DNS bundle id.
IOS_APP_ID = re.compile(r"[A-Z0-9]{10}\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
IOS_PATH = re.compile(r"[/*][^\s?#]*")


def _list(name: str) -> list[str]:
    value = getattr(app_settings, name)
    if isinstance(value, str):  # tolerate "a,b" set straight in settings
        value = value.split(",")
    return [item.strip() for item in value if item.strip()]


def _json(data) -> JsonResponse:
    # Lists are fine at the top level here: nothing reads these files as a script.
    response = JsonResponse(data, safe=False)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def assetlinks(request: HttpRequest) -> JsonResponse:
    """Android App Links: the app with this package and signing certificate may open every URL."""
    package = app_settings.ANDROID_APP_PACKAGE.strip()
    fingerprints = _list("ANDROID_APP_SHA256_FINGERPRINTS")
    if not package or not fingerprints:
        raise Http404("Android App Links are not configured.")
    return _json(
        [
            {
                "relation": ["delegate_permission/common.handle_all_urls"],
                "target": {
                    "namespace": "android_app",
                    "package_name": package,
                    "sha256_cert_fingerprints": [fingerprint.upper() for fingerprint in fingerprints],
                },
            }
        ]
    )


@require_safe
def apple_app_site_association(request: HttpRequest) -> JsonResponse:
    """iOS Universal Links for IOS_APP_PATHS, and shared web credentials, for the apps in IOS_APP_IDS."""
    app_ids = _list("IOS_APP_IDS")
    if not app_ids:
        raise Http404("iOS Universal Links are not configured.")
    paths = _list("IOS_APP_PATHS")
    return _json(
        {
            "applinks": {"details": [{"appIDs": app_ids, "components": [{"/": path} for path in paths]}]},
            "webcredentials": {"apps": app_ids},
        }
    )


@register()
def check_android_app_links(app_configs=None, **kwargs) -> list[Error]:
    package = app_settings.ANDROID_APP_PACKAGE.strip()
    fingerprints = _list("ANDROID_APP_SHA256_FINGERPRINTS")
    errors = []
    if package and not ANDROID_PACKAGE.fullmatch(package):
        errors.append(
            Error(
                f"ANDROID_APP_PACKAGE {package!r} is not an Android package name.",
                hint="e.g. com.example.mobilestarter",
                id="webapp.E001",
            )
        )
    for fingerprint in fingerprints:
        if not SHA256_FINGERPRINT.fullmatch(fingerprint):
            errors.append(
                Error(
                    f"ANDROID_APP_SHA256_FINGERPRINTS has {fingerprint!r}, which is not a SHA-256 certificate fingerprint.",
                    hint="32 hex byte pairs separated by colons, as `keytool -list -v` prints them.",
                    id="webapp.E001",
                )
            )
    if bool(package) != bool(fingerprints):
        errors.append(
            Error(
                "Set both ANDROID_APP_PACKAGE and ANDROID_APP_SHA256_FINGERPRINTS, or neither.",
                hint="/.well-known/assetlinks.json needs the package and its signing certificates.",
                id="webapp.E001",
            )
        )
    return errors


@register()
def check_ios_universal_links(app_configs=None, **kwargs) -> list[Error]:
    app_ids = _list("IOS_APP_IDS")
    errors = []
    for app_id in app_ids:
        if not IOS_APP_ID.fullmatch(app_id):
            errors.append(
                Error(
                    f"IOS_APP_IDS has {app_id!r}, which is not an iOS app id.",
                    hint='"TEAMID.bundle.id": the 10-character Team ID, a dot, the bundle id.',
                    id="webapp.E002",
                )
            )
    if app_ids:
        paths = _list("IOS_APP_PATHS")
        for path in paths:
            if not IOS_PATH.fullmatch(path):
                errors.append(
                    Error(
                        f"IOS_APP_PATHS has {path!r}, which is not a URL path pattern.",
                        hint="Start with / (or be *); no spaces, ? or #.",
                        id="webapp.E002",
                    )
                )
        if not paths:
            errors.append(
                Error(
                    "IOS_APP_PATHS is empty, so no link would open the app.",
                    hint="The default is /*.",
                    id="webapp.E002",
                )
            )
    return errors
