"""The fleet's pages: the assets not reporting, the overview alone (for htmx), and a tenant admin's "refresh now".

Everything is read from the database (fleet.display): no page here calls MindSphere.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap

from navigation.access import may_open, role_required
from navigation.homes import home_roles
from sso.request_types import SignedInRequest
from sso.responses import forbidden_response

from . import runs, tasks
from .app_settings import app_settings
from .display import overview_context, viewer_tenant
from .models import FleetOverview

ROLE = "Admin"  # the tenant's admins (as in tenantadmin): they may ask for a fresh run
NOT_FOR_YOU = gettext_lazy(
    "The fleet overview is for the people of a MindSphere tenant; people of a subtenant do not see it yet."
)


@never_cache
@require_GET
@role_required(home_roles)  # everyone with a role home page, where the overview is
def not_reporting(request: HttpRequest) -> HttpResponse:
    """The assets of the person's tenant that sent no time series data lately, each linked to its page."""
    tenant = viewer_tenant(request)
    if tenant is None:
        return forbidden_response(request, str(NOT_FOR_YOU))
    overview = FleetOverview.objects.filter(tenant=tenant).first()
    linked = may_open(request.user, "assets:list")
    assets = [{**row, "url": _asset_url(row["assetId"]) if linked else None} for row in _rows(overview)]
    now = timezone.now()
    context = {
        "tenant": tenant,
        "overview": overview,
        "assets": assets,
        "stale_after_span": timesince(now - timedelta(seconds=app_settings.ASSETS_STALE_AFTER), now),
    }
    return render(request, "fleet/not_reporting.html", context)


@never_cache
@require_GET
@role_required(home_roles)
def overview(request: HttpRequest) -> HttpResponse:
    """The overview alone: what `{% fleet_overview %}` shows, for htmx to swap in while a result is awaited."""
    return render(request, "fleet/_overview.html", overview_context(request))


@never_cache
@require_POST
@role_required(ROLE)
def refresh(request: SignedInRequest) -> HttpResponse:
    """A tenant admin's "refresh now": a run of their own tenant, at most once a minute (runs.REFRESH_EVERY)."""
    tenant = viewer_tenant(request)
    if tenant is None:
        return forbidden_response(request, str(NOT_FOR_YOU))
    granted = runs.request_refresh(tenant)
    if granted:
        tasks.refresh_overview.delay(tenant)
        text, level = _("Update requested: the overview changes here within a minute."), messages.SUCCESS
    else:
        text, level = _("An update was asked for less than a minute ago. Try again in a minute."), messages.WARNING
    if request.htmx:
        tag = "success" if granted else "warning"
        response = render(request, "fleet/_overview.html", overview_context(request, text, tag))
        if not granted:  # 429 with the overview and its message, swapped all the same (HX-Reswap, busy.js)
            response.status_code = 429
            response = reswap(response, "outerHTML")
        return response
    messages.add_message(request, level, text)
    return redirect(_back(request))


def _rows(overview: FleetOverview | None) -> list[dict]:
    return overview.last_seen_times if overview is not None and overview.computed_at else []


def _asset_url(asset_id: str) -> str | None:
    try:
        return reverse("assets:detail", args=[asset_id])
    except NoReverseMatch:  # an id no URL here can carry ("/"): listed, not linked
        return None


def _back(request: HttpRequest) -> str:
    # Back to the page the form was on (a role home), if it is one of ours; else the person's home.
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return "/"
