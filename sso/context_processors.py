from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url

from . import osbar
from .app_settings import app_settings


def mindsphere(request: HttpRequest) -> dict:
    """The lifecycle include's interval, where "home" is for sso's own pages, and whether the page
    goes through MindSphere's gateway (`gateway_request`: the OS Bar, no Sign out of the app's own)."""
    return {
        "mindsphere_check_interval": app_settings.MINDSPHERE_CHECK_INTERVAL,
        "home_url": _home_url(settings.LOGIN_REDIRECT_URL),
        **osbar.context(request),
    }


@functools.lru_cache(maxsize=8)
def _home_url(setting: str) -> str:
    # Every page asks; resolve_url tries a reverse that fails for a path like "/", which costs.
    return resolve_url(setting)
