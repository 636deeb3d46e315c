"""htmx on every request: `request.htmx` (django-htmx), and `Vary` on the headers htmx sends.

Any page may answer an htmx request differently: a fragment instead of the page, the region named
in HX-Target (assets/loading.py), HX-Redirect instead of a redirect (sso/responses.py). So every
response says so, set here once. Neither header comes with a plain request, so caches of plain
pages (the service worker's offline page) are not split by it. Newer django-htmx does the same for
HX-Request in its own middleware.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers
from django_htmx import middleware

HEADERS = ("HX-Request", "HX-Target")


class HtmxMiddleware(middleware.HtmxMiddleware):
    """django-htmx's middleware, whose responses also vary on htmx's request headers."""

    async_capable = False  # the app runs under WSGI; Django adapts should that change

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = cast(HttpResponseBase, super().__call__(request))  # sync only: async_capable is False
        patch_vary_headers(response, HEADERS)
        return response
