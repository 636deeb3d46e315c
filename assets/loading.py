"""Pages whose MindSphere data loads after the page: the shell at once, the data through htmx.

A plain request from a browser that runs the app's scripts gets the page's shell without calling
MindSphere (`render_shell`); a loading region in it (`data-mindsphere-load`, templates/_loading.html)
asks for the same URL with htmx, and the view answers that with just the region's fragment
(`render_region`). Without JavaScript the page is rendered whole: a browser that never ran
static/js/local-time.js sends no `tz` cookie, and the shell's <noscript> refresh asks for `?wait=1`,
the whole page, should scripts be off since.

An error keeps its status in a region too (404 for an unknown asset, 502 when MindSphere failed) and
says how to swap it (`HX-Reswap`): htmx swaps only such error answers (the `responseHandling` of
templates/base.html and static/js/busy.js), not an outage's 503 or an error page.

`Vary`: HX-Request and HX-Target are on every response (project/htmx.py); `Cookie`, which holds
`tz`, comes from the session middleware, since each of these pages reads the session (sign-in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django_htmx.http import reswap

from sso.request_types import HtmxRequest
from webapp.localtime import COOKIE as SCRIPT_COOKIE

WAIT_PARAMETER = "wait"
# How every region and control of these pages swaps its answer (hx-swap), error answers included.
SWAP: Final = "outerHTML"


@dataclass(frozen=True)
class RegionPage:
    """A page and the regions of it that htmx fills: element id → the region's template."""

    template: str
    regions: Mapping[str, str]


def wants_shell(request: HtmxRequest) -> bool:
    """Answer with the shell: a page load (or htmx's history restore) from a browser with scripts on."""
    htmx = request.htmx
    page_load = not htmx or htmx.history_restore_request
    return bool(page_load) and SCRIPT_COOKIE in request.COOKIES and request.GET.get(WAIT_PARAMETER) != "1"


def fragment_of(request: HtmxRequest, *regions: str) -> str:
    """The region (element id) an htmx request asks to fill, if it is one of `regions`; else ""."""
    htmx = request.htmx
    if htmx and not htmx.history_restore_request and not htmx.boosted and htmx.target in regions:
        return htmx.target
    return ""


def wait_url(request: HtmxRequest) -> str:
    """This URL with `wait=1`: the whole page, for the shell's <noscript> refresh."""
    params = request.GET.copy()
    params[WAIT_PARAMETER] = "1"
    return f"{request.path}?{urlencode(sorted(params.lists()), doseq=True)}"


def render_shell(request: HtmxRequest, page: RegionPage, context: dict) -> HttpResponse:
    """The page without MindSphere's data: its loading regions ask for this URL again."""
    shell = {"shell": True, "load_url": request.get_full_path(), "wait_url": wait_url(request)}
    return render(request, page.template, {**context, **shell})


def render_region(request: HtmxRequest, page: RegionPage, context: dict, *, status: int = 200) -> HttpResponse:
    """The region an htmx request asks for (HX-Target), alone; else the whole page. Both with `status`."""
    region = fragment_of(request, *page.regions)
    if not region:
        return render(request, page.template, context, status=status)
    # `fragment`: a region brings the page's <title> along (htmx sets it), the whole page has its own.
    response = render(request, page.regions[region], {**context, "fragment": True}, status=status)
    return swap_error(response) if status >= 400 else response


def swap_error(response: HttpResponse) -> HttpResponse:
    """An htmx answer with an error status that takes the place of what asked, all the same."""
    return reswap(response, SWAP)
