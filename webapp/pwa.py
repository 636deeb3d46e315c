"""The installable web app: the web app manifest, the service worker and the offline page.

The service worker keeps exactly one page, `/offline/`, and the static files that page uses. It
never stores a page that may carry personal data: navigations go to the network and only when the
network fails does it answer with the offline page (docs/installable-app.md).
"""

from __future__ import annotations

import hashlib
import json
import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

NAME = "MindSphere Mobile Starter"
SHORT_NAME = "MindSphere"
THEME_COLOR = "#005f87"  # --brand in static/css/app.css
BACKGROUND_COLOR = "#f0f3f6"  # --bg in static/css/app.css
ICONS = [
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
]
CACHE_PREFIX = "mindsphere-offline-"
OFFLINE_TEMPLATE = "webapp/offline.html"


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest; icon URLs are the hashed static names, so they change with a deploy."""
    data = {
        "id": "/",
        "name": NAME,
        "short_name": SHORT_NAME,
        "description": "Sign in to MindSphere and use your role's pages on your phone.",
        "lang": "en",
        "start_url": reverse("navigation:home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(name), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for name, sizes, purpose in ICONS
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    patch_cache_control(response, no_cache=True)
    return response


def render_offline_page() -> str:
    """The offline page, rendered without the request: no user, session or messages can leak in."""
    return render_to_string(OFFLINE_TEMPLATE)


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_offline_page())


def _static_urls_in(html: str) -> list[str]:
    pattern = r'(?:href|src)="(' + re.escape(settings.STATIC_URL) + r'[^"?#]+)"'
    return sorted(set(re.findall(pattern, html)))


def _static_file_bytes(url: str) -> bytes:
    name = url.removeprefix(settings.STATIC_URL)
    if staticfiles_storage.exists(name):  # collected (production): the hashed name
        with staticfiles_storage.open(name) as file:
            return file.read()
    path = finders.find(name)  # DEBUG: unhashed names straight from the source folders
    if path:
        with open(path, "rb") as file:
            return file.read()
    return b""


def precache() -> tuple[str, list[str]]:
    """The cache name and the URLs the service worker stores at install: the offline page and its static files.

    The cache name carries a hash of the offline page and of those files, so any change to them
    (a deploy) gives a new service worker, which replaces the old cache.
    """
    html = render_offline_page()
    assets = _static_urls_in(html)
    digest = hashlib.sha256(html.encode())
    for url in assets:
        digest.update(url.encode() + b"\0" + _static_file_bytes(url))
    return CACHE_PREFIX + digest.hexdigest()[:16], [reverse("webapp:offline"), *assets]


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so that its scope is the whole app."""
    cache_name, urls = precache()
    context = {
        "cache_name": mark_safe(json.dumps(cache_name)),
        "cache_prefix": mark_safe(json.dumps(CACHE_PREFIX)),
        "offline_url": mark_safe(json.dumps(reverse("webapp:offline"))),
        "precache_urls": mark_safe(json.dumps(urls)),
    }
    response = HttpResponse(
        render_to_string("webapp/service-worker.js", context), content_type="application/javascript; charset=utf-8"
    )
    # Browsers check for a new worker on navigation; no-cache makes them ask the server each time.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
