"""The example pages that call MindSphere: the asset list and an asset's time series chart."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from mindsphere.exceptions import MindSphereAPIError, ProviderUnavailableError
from navigation.access import role_required
from sso.app_settings import app_settings
from sso.decorators import mindsphere_required
from sso.request_types import MindSphereRequest
from sso.responses import bad_request_response, failure_text

from . import charts, series
from .app_settings import asset_roles
from .aspects import chart_variables, static_values, variable_groups
from .forms import MAX_PAGE, RANGES, AssetListQuery, ChartQuery, ExportForm
from .loading import RegionPage, fragment_of, render_region, render_shell, swap_error, wants_shell
from .models import Export
from .series import Latest, Series, Variable

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
LIST_PAGE = RegionPage("assets/list.html", {"asset-results": "assets/_results.html"})
# The asset page's regions that htmx fills: the whole body (after the shell) or the chart (a new choice).
DETAIL_PAGE = RegionPage(
    "assets/detail.html", {"asset-body": "assets/_detail_body.html", "series": "assets/_series.html"}
)
# Its error page: in either region, the error card takes the region's place.
ERROR_PAGE = RegionPage("assets/error.html", dict.fromkeys(DETAIL_PAGE.regions, "assets/_error_card.html"))
# The series and latest value of the variable the URL names, fetched with the asset: that variable as
# guessed, and the results.
FetchedEarly = tuple[Variable, Series | BaseException, Latest | None | BaseException]


def _bad_query(request: MindSphereRequest, message: StrOrPromise) -> HttpResponse:
    # The styled 400 page (menu included), offering the same page without the query. In a region of
    # the asset page the message takes the region's place: in place of the chart, or as the error card.
    if fragment_of(request, "series"):
        return render_region(request, DETAIL_PAGE, {"series_error": message}, status=400)
    if fragment_of(request, *DETAIL_PAGE.regions):
        return _error_page(request, 400, _("Bad request"), message)
    return bad_request_response(request, message, retry_url=request.path)


def _error_page(request: MindSphereRequest, status: int, title: StrOrPromise, message: StrOrPromise) -> HttpResponse:
    return render_region(request, ERROR_PAGE, {"title": title, "message": message, "status": status}, status=status)


def _list_url(q: str, page: int) -> str:
    params: dict[str, str | int] = {"q": q} if q else {}
    params["page"] = page
    return f"{reverse('assets:list')}?{urlencode(params)}"


def detail_url(asset_id: object) -> str:
    """The asset's page, or "" for an id no URL of this app can carry (it is listed without a link)."""
    if isinstance(asset_id, str) and asset_id not in ("", ".", ".."):  # browsers resolve "." and ".." away
        try:
            url = reverse("assets:detail", args=[asset_id])
            if resolve(url).url_name == "detail":  # not an id such as "exports", which names another page
                return url
        except (NoReverseMatch, Resolver404):
            pass
    logger.warning("asset id %r cannot be linked to; listed without a link", asset_id)
    return ""


def list_rows(assets: list[dict]) -> list[dict]:
    """Assets as the list shows them: each with the URL of its page (or "" where none can carry its id)."""
    return [{**asset, "detail_url": detail_url(asset.get("assetId"))} for asset in assets]


# --- the asset list ----------------------------------------------------------------------------


@never_cache
@role_required(asset_roles)  # the role first: no token refresh for a 403
@mindsphere_required
def asset_list(request: MindSphereRequest) -> HttpResponse:
    """The tenant's assets by name; `?q=` searches names, `?page=N` (0-based, as the API) loads more.

    A page load from a browser with scripts gets the shell, whose results region loads with htmx
    (assets/loading.py). An htmx request for the rows gets only page N's rows and the next "Load
    more" control; a plain request (the control's no-JS fallback) gets the whole page with pages 0..N.
    """
    query = AssetListQuery(request.GET)
    if not query.is_valid():
        return _bad_query(request, query.problem())
    q, page = query.cleaned_data["q"], query.cleaned_data["page"]
    if wants_shell(request):
        return render_shell(request, LIST_PAGE, {"q": q})
    if _asks_for_rows(request):
        return _next_rows(request, q, page)
    return _first_pages(request, q, page)


def _asks_for_rows(request: MindSphereRequest) -> bool:
    """An htmx request of the Load more control (not of the results region)."""
    htmx = request.htmx
    return bool(htmx) and not (htmx.boosted or htmx.history_restore_request or htmx.target in LIST_PAGE.regions)


def _next_rows(request: MindSphereRequest, q: str, page: int) -> HttpResponse:
    """Page N's rows and the next Load more control, in place of the control that asked."""
    try:
        body = request.mindsphere.assets_page(page=page, size=PAGE_SIZE, name_contains=q)
    except MindSphereAPIError as error:
        logger.warning("asset list failed: MindSphere answered %s", error.status)
        context = {"message": error.message, "retry_url": _list_url(q, page)}
        return swap_error(render(request, "assets/_list_error.html", context, status=502))  # a row with Try again
    assets = body.get("_embedded", {}).get("assets", [])
    total = body.get("page", {}).get("totalElements", len(assets))
    return render(request, "assets/_rows.html", _list_context(q, page, assets, total))


def _first_pages(request: MindSphereRequest, q: str, page: int) -> HttpResponse:
    """Pages 0..N, in API pages of at most 200: the whole page, or its results region."""
    try:
        assets, total = request.mindsphere.first_assets((page + 1) * PAGE_SIZE, name_contains=q)
    except MindSphereAPIError as error:
        logger.warning("asset list failed: MindSphere answered %s", error.status)
        title = _("The asset list could not be loaded")
        context = {"q": q, "title": title, "message": error.message, "retry_url": _list_url(q, page)}
        return render_region(request, LIST_PAGE, context, status=502)
    return render_region(request, LIST_PAGE, _list_context(q, page, assets, total))


def _list_context(q: str, page: int, assets: list[dict], total: int) -> dict:
    shown = (page + 1) * PAGE_SIZE
    return {
        "q": q,
        "assets": list_rows(assets),
        "total": total,
        "next_url": _list_url(q, page + 1) if shown < total and page < MAX_PAGE else "",
        "capped": shown < total and page >= MAX_PAGE,
    }


# --- one asset and its time series -----------------------------------------------------------


def location_text(location: dict | None) -> str:
    location = location or {}
    town = " ".join(part for part in (location.get("postalCode"), location.get("locality")) if part)
    parts = (location.get("streetAddress"), town, location.get("region"), location.get("country"))
    return ", ".join(part for part in parts if part)


@never_cache
@role_required(asset_roles)  # the role first: no token refresh for a 403
@mindsphere_required
def asset_detail(request: MindSphereRequest, asset_id: str) -> HttpResponse:
    """An asset's details and a chart of one variable over the last 24 hours, 7 or 30 days.

    A page load from a browser with scripts gets the shell at once, and htmx fetches the body;
    changing the variable or range fetches only the chart (assets/loading.py).
    """
    query = ChartQuery(request.GET)
    if not query.is_valid():
        return _bad_query(request, query.problem())
    if wants_shell(request):
        return render_shell(request, DETAIL_PAGE, {"asset_id": asset_id})
    asset, aspects, fetched_early = _fetch_asset(request, asset_id, query)
    failure = next((answer for answer in (asset, aspects) if isinstance(answer, BaseException)), None)
    if failure is not None:
        return _asset_error(request, asset_id, failure)
    variables = chart_variables(aspects)
    try:
        chosen = query.variable_of(variables)
    except forms.ValidationError as error:
        return _bad_query(request, error.messages[0])
    context = {
        **_detail_context(request, asset_id, asset, aspects, query),
        "variables": variables,
        "variable_groups": variable_groups(variables),
        "chosen": chosen,
    }
    if chosen is None:
        return render_region(request, DETAIL_PAGE, context)
    found, latest = _series_for(request, asset_id, chosen, query, fetched_early)
    context["latest"] = _shown_latest(asset_id, latest)
    return _with_series(request, context, found, query)


def _fetch_asset(request: MindSphereRequest, asset_id: str, query: ChartQuery) -> tuple[Any, Any, FetchedEarly | None]:
    """The asset, its aspects and the series of a variable the URL names, at once: each a value or an exception."""
    client, named = request.mindsphere, query.named_variable()
    end, span = query.cleaned_data["end"], query.span
    calls: list[Callable[[], Any]] = [lambda: client.asset(asset_id), lambda: client.aspects(asset_id)]
    if named is not None:
        calls.append(lambda: series.fetch(client, asset_id, named, end, span))
        calls.append(lambda: series.latest(client, asset_id, named))
    asset, aspects, *early = client.at_once(*calls)
    return asset, aspects, ((named, early[0], early[1]) if named is not None and early else None)


def _asset_error(request: MindSphereRequest, asset_id: str, error: BaseException) -> HttpResponse:
    if not isinstance(error, MindSphereAPIError):
        raise error  # an outage or an ended session: mindsphere_required answers
    if error.status == 404:  # also another tenant's asset: the gateway scopes to the token's tenant
        return _error_page(request, 404, _("Asset not found"), _("There is no asset with this id in your tenant."))
    logger.warning("asset %r failed: MindSphere answered %s", asset_id, error.status)
    message = _("MindSphere answered: {message}").format(message=error.message)
    return _error_page(request, 502, _("The asset could not be loaded"), message)


def _detail_context(
    request: MindSphereRequest, asset_id: str, asset: dict, aspects: list[dict], query: ChartQuery
) -> dict:
    return {
        "asset_id": asset_id,
        "asset": asset,
        "location": location_text(asset.get("location")),
        "static_values": static_values(asset),
        "ranges": [(key, label) for key, (label, _span) in RANGES.items()],
        "range_key": query.cleaned_data["range"],
        "range_label": query.range_label,
        "end": query.cleaned_data["end"],
        "export_form": ExportForm(aspects=aspects, initial=ExportForm.initial_for_last_days()),
        "exports": Export.objects.filter(user=request.user, asset_id=asset_id)[:3],
    }


def _series_for(
    request: MindSphereRequest, asset_id: str, variable: Variable, query: ChartQuery, fetched_early: FetchedEarly | None
) -> tuple[Series | BaseException, Latest | None | BaseException]:
    """The chosen variable's series and latest value: those fetched with the asset if that was this variable, else now."""
    if fetched_early is not None:
        named, found, latest = fetched_early
        if (named.property_set, named.name) == (variable.property_set, variable.name):
            return found, latest  # fetched without `select`: it carries the quality code if there is one
    # The default variable, or a name that splits elsewhere (a property set with a dot): now the asset is known.
    client, end, span = request.mindsphere, query.cleaned_data["end"], query.span
    fetched, newest = client.at_once(
        lambda: series.fetch(client, asset_id, variable, end, span), lambda: series.latest(client, asset_id, variable)
    )
    return cast("Series | BaseException", fetched), cast("Latest | None | BaseException", newest)


def _shown_latest(asset_id: str, latest: Latest | None | BaseException) -> Latest | None:
    """The latest value if it came; without it the chart is still worth showing."""
    if isinstance(latest, BaseException):
        logger.warning("latest value of asset %r failed: %s", asset_id, latest)
        return None
    return latest


def _with_series(
    request: MindSphereRequest, context: dict, found: Series | BaseException, query: ChartQuery
) -> HttpResponse:
    """The page (or region) with the chart, or with what went wrong in the chart's place: the details stay."""
    if isinstance(found, MindSphereAPIError):
        logger.warning("time series of asset %r failed: MindSphere answered %s", context["asset_id"], found.status)
        context["series_error"] = failure_text(found)
        return render_region(request, DETAIL_PAGE, context, status=502)
    if isinstance(found, ProviderUnavailableError):
        if fragment_of(request, "series"):
            # A new choice: the chart shown stays, and the card says what failed (static/js/busy.js).
            raise found
        context["series_error"] = failure_text(found)  # a page or its body: the details stay, the chart waits
        response = render_region(request, DETAIL_PAGE, context, status=503)
        response["Retry-After"] = str(found.retry_after or app_settings.MINDSPHERE_RETRY_AFTER)
        return response
    if isinstance(found, BaseException):
        raise found
    chosen, url = context["chosen"], reverse("assets:detail", args=[context["asset_id"]])
    chart = {**charts.chart_context(found, chosen.label), "permalink": f"{url}?{query.link_to_same_numbers(chosen)}"}
    return render_region(request, DETAIL_PAGE, {**context, **chart})
