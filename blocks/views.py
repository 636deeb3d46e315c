"""`/blocks/<name>/`: a MindSphere block's data, for htmx to put into its shell; `/blocks/`: the gallery.

A block's region calls MindSphere only through the signed-in person's token-checked client
(`mindsphere_required`) and answers what went wrong in the region's place, with its status and
`HX-Reswap` so htmx swaps it all the same (assets/loading.py): not found (404), MindSphere's error
(502), 429 and outages (503 with Retry-After). Slow answers: the shell's "Still waiting for
MindSphere…" and Retry (templates/_loading.html). Without JavaScript the shell links here, and a
plain request gets the block on a page of its own.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assets.loading import swap_error
from mindsphere.exceptions import MindSphereAPIError, ProviderUnavailableError, RateLimitedError
from sso import texts
from sso.app_settings import app_settings
from sso.decorators import mindsphere_required
from sso.request_types import MindSphereRequest, htmx_of
from sso.responses import forbidden_response, login_required_response, rate_limited_text

from . import gallery
from .catalogue import BLOCKS, Block
from .data import NotFound
from .rendering import may_see

logger = logging.getLogger(__name__)
REGION_ID = re.compile(r"block-[a-z-]+-\d+-data")


@never_cache
@require_GET
def region(request: HttpRequest, name: str) -> HttpResponse:
    """The region of the block `name` with the query's arguments: its data, or its notice."""
    block = BLOCKS.get(name)
    if block is None or not block.loads:
        raise Http404("no such block")
    if not request.user.is_authenticated:
        return login_required_response(request)
    if not may_see(request, block):
        # In a page the block renders nothing; a region asked for all the same is simply gone.
        return HttpResponse("") if htmx_of(request) else forbidden_response(request)
    try:
        cleaned = block.clean(request.GET.dict())
    except ValidationError as error:
        return _notice(request, block, error.messages[0], status=400)
    return _load(request, block, cleaned)


@mindsphere_required
def _load(request: MindSphereRequest, block: Block, cleaned: dict) -> HttpResponse:
    try:
        data = block.data(request, **cleaned) or {}
    except NotFound as error:
        return _notice(request, block, error.message, status=404, kind="not-found")
    except RateLimitedError as error:
        return _unavailable(request, block, rate_limited_text(error.retry_after), error.retry_after)
    except ProviderUnavailableError as error:
        return _unavailable(request, block, str(texts.UNAVAILABLE), error.retry_after)
    except MindSphereAPIError as error:
        logger.warning("block %s failed: MindSphere answered %s", block.name, error.status)
        message = _("MindSphere answered: {message}").format(message=error.message)
        return _notice(request, block, message, status=502)
    return _answer(request, block, block.region, {**cleaned, **data})


def _unavailable(request: HttpRequest, block: Block, message: str, retry_after: int | None) -> HttpResponse:
    response = _notice(request, block, message, status=503, kind="unavailable")
    response["Retry-After"] = str(retry_after or app_settings.MINDSPHERE_RETRY_AFTER)
    return response


def _notice(request: HttpRequest, block: Block, message: str, *, status: int, kind: str = "error") -> HttpResponse:
    context = {"message": message, "kind": kind, "retry_url": request.get_full_path()}
    return _answer(request, block, "blocks/_notice.html", context, status=status)


def _answer(request: HttpRequest, block: Block, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """The region alone for htmx (in place of the one that asked), else the block on a page of its own."""
    htmx = htmx_of(request)
    target = htmx.target if htmx and htmx.target and REGION_ID.fullmatch(htmx.target) else "block-region"
    context = {**context, "block": block, "region_id": target, "region_template": template}
    if not htmx:
        return render(request, "blocks/alone.html", context, status=status)
    response = render(request, template, context, status=status)
    return swap_error(response) if status >= 400 else response


@never_cache
@require_GET
def gallery_page(request: HttpRequest) -> HttpResponse:
    """Every block, live with the person's own data, and the line that puts it on a page: operators, or DEBUG."""
    if not request.user.is_authenticated:
        return login_required_response(request)
    if not (settings.DEBUG or admin.site.has_permission(request)):
        return forbidden_response(request, _("The block gallery is for the app's operators."))
    return render(request, "blocks/gallery.html", gallery.context(request))
