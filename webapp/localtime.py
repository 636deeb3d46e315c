"""The person's time zone for the request, from the `tz` cookie that static/js/local-time.js sets.

Django renders aware datetimes in the active zone (templates' `date` filter, `localtime`), so
activating it here is all the pages need. Anything that is not a known IANA zone name counts as
no cookie: the request renders in UTC (settings.TIME_ZONE).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

COOKIE = "tz"
# The longest IANA name is about 30 characters; a longer cookie is not a zone and not worth a lookup.
MAX_LENGTH = 64


def zone_from(value: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone a cookie value names, or None for a missing, malformed or unknown name."""
    if not value or len(value) > MAX_LENGTH or not value.isascii():
        return None
    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: absolute or relative paths ("/etc/passwd", "../x"); OSError: names the file
        # system refuses (e.g. a NUL byte).
        return None


class LocalTimeMiddleware:
    """Activate the time zone of the `tz` cookie for this request, and deactivate it afterwards."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = zone_from(request.COOKIES.get(COOKIE))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            # Threads serve many requests: the next one must not inherit this person's zone.
            timezone.deactivate()
