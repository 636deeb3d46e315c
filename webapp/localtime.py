"""The person's time zone for the request, from the `tz` cookie that static/js/local-time.js sets.

Django renders aware datetimes in the active zone (templates' `date` filter, `localtime`), so
activating it here is all the pages need. Anything that is not an IANA zone name counts as no
cookie: the request renders in UTC (settings.TIME_ZONE).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

COOKIE = "tz"
# The longest IANA name is about 30 characters; a longer cookie is not a zone and not worth a lookup.
MAX_LENGTH = 64


@cache
def zone_names() -> frozenset[str]:
    """The IANA zone names this machine has; not `localtime` (the server's own zone under another
    name) nor `Factory` (a placeholder whose abbreviation is "-00"), which the tz database lists too."""
    return frozenset(zoneinfo.available_timezones() - {"localtime", "Factory"})


def zone_from(value: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone a cookie value names, or None for a missing, malformed or unknown name.

    Only names from the list are looked up: ZoneInfo itself would also open any other file under the
    zone directories (`posixrules`, `right/…`, `posix/…`) or fail on paths, directories and non-zone files.
    """
    if not value or len(value) > MAX_LENGTH or value not in zone_names():
        return None
    return zoneinfo.ZoneInfo(value)


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
