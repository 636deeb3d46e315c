"""Pages whose MindSphere data loads after the page: the shell at once, the data through htmx.

A plain request from a browser that runs the app's scripts gets the page's shell without calling
MindSphere; a loading region in it (`data-mindsphere-load`) asks for the same URL with htmx, and
the view answers that with just the region's fragment. Without JavaScript the page is rendered
whole, as before: a browser that never ran static/js/local-time.js sends no `tz` cookie, and the
shell's <noscript> refresh asks for `?wait=1`, the whole page, should scripts be off since.
"""
from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import urlencode

from webapp.localtime import COOKIE as SCRIPT_COOKIE

WAIT_PARAMETER = "wait"


def wants_shell(request: HttpRequest) -> bool:
    """Answer with the shell: a page load (or htmx's history restore) from a browser with scripts on."""
    htmx = request.htmx
    page_load = not htmx or htmx.history_restore_request
    return bool(page_load) and SCRIPT_COOKIE in request.COOKIES and request.GET.get(WAIT_PARAMETER) != "1"


def fragment_of(request: HttpRequest, *regions: str) -> str:
    """The region (element id) an htmx request asks to fill, if it is one of `regions`; else ""."""
    htmx = request.htmx
    if htmx and not htmx.history_restore_request and not htmx.boosted and htmx.target in regions:
        return htmx.target
    return ""


def wait_url(request: HttpRequest) -> str:
    """This URL with `wait=1`: the whole page, for the shell's <noscript> refresh."""
    params = request.GET.copy()
    params[WAIT_PARAMETER] = "1"
    return f"{request.path}?{urlencode(sorted(params.lists()), doseq=True)}"
