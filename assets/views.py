"""The example pages that call MindSphere: the asset list and an asset's time series chart."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from mindsphere.exceptions import MindSphereAPIError, RateLimitedError
from navigation.menus import menu_page
from sso.app_settings import app_settings
from sso.decorators import mindsphere_required
from sso.responses import bad_request_response, rate_limited_text

from . import charts, series
from .aspects import chart_variables, static_values
from .forms import ExportForm
from .loading import fragment_of, wait_url, wants_shell
from .models import Export
from .series import Variable

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
# A plain (no-JS) "Load more" asks for pages 0..N in one call of size (N + 1) * PAGE_SIZE, so the
# page number is bounded; past that many rows a search is the better tool on a phone.
MAX_PAGE = 49
RANGES = {
    "24h": (_("Last 24 hours"), timedelta(hours=24)),
    "7d": (_("Last 7 days"), timedelta(days=7)),
    "30d": (_("Last 30 days"), timedelta(days=30)),
}
DEFAULT_RANGE = "24h"


class AssetListQuery(forms.Form):
    q = forms.CharField(required=False, max_length=100, strip=True)
    page = forms.IntegerField(required=False, min_value=0, max_value=MAX_PAGE)


def _first_error(form: forms.Form) -> str:
    field, errors = next(iter(form.errors.items()))
    return f"{field}: {errors[0]}"


def _bad_query(request: HttpRequest, message: str) -> HttpResponse:
    # The styled 400 page (menu included), offering the same page without the query; in an htmx
    # region of the asset page the message takes the region's place (htmx swaps 2xx answers only).
    region = fragment_of(request, *DETAIL_FRAGMENTS)
    if region == "series":
        return _varies(render(request, "assets/_series.html", {"series_error": message}))
    if region:
        return _error_page(request, 400, _("Bad request"), message)
    return bad_request_response(request, message, retry_url=request.path)


def _list_url(q: str, page: int) -> str:
    params = {"q": q} if q else {}
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


def _rows(assets: list[dict]) -> list[dict]:
    return [{**asset, "detail_url": detail_url(asset.get("assetId"))} for asset in assets]


# --- the asset list ----------------------------------------------------------------------------


@never_cache
@menu_page("assets:list")  # the role first: no token refresh for a 403
@mindsphere_required
def asset_list(request: HttpRequest) -> HttpResponse:
    """The tenant's assets by name; `?q=` searches names, `?page=N` (0-based, as the API) loads more.

    A page load from a browser with scripts gets the shell, whose results region loads with htmx
    (assets/loading.py). An htmx request for the rows gets only page N's rows and the next "Load
    more" control; a plain request (the control's no-JS fallback) gets the whole page with pages 0..N.
    """
    query = AssetListQuery(request.GET)
    if not query.is_valid():
        return _bad_query(request, _first_error(query))
    q, page = query.cleaned_data["q"] or "", query.cleaned_data["page"] or 0
    if wants_shell(request):
        context = {"q": q, "shell": True, "load_url": request.get_full_path(), "wait_url": wait_url(request)}
        return _varies(render(request, "assets/list.html", context))
    results = fragment_of(request, "asset-results")
    fragment = not results and bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request
    try:
        if fragment:
            body = request.mindsphere.assets_page(page=page, size=PAGE_SIZE, name_contains=q)
            assets = body.get("_embedded", {}).get("assets", [])
            total = body.get("page", {}).get("totalElements", len(assets))
        else:  # pages 0..N, in API pages of at most 200
            assets, total = request.mindsphere.first_assets((page + 1) * PAGE_SIZE, name_contains=q)
    except MindSphereAPIError as error:
        logger.warning("asset list failed: MindSphere answered %s", error.status)
        context = {"message": error.message, "retry_url": _list_url(q, page)}
        if fragment:
            # htmx swaps only 2xx answers: the error travels as a row in place of the control.
            response = render(request, "assets/_list_error.html", context)
        elif results:  # the same for the results region: the message and Try again in its place
            context.update(q=q, title=_("The asset list could not be loaded"))
            response = render(request, "assets/_results.html", context)
        else:
            context.update(q=q, title=_("The asset list could not be loaded"))
            response = render(request, "assets/list.html", context, status=502)
        return _varies(response)

    shown = (page + 1) * PAGE_SIZE
    context = {
        "q": q,
        "assets": _rows(assets),
        "total": total,
        "next_url": _list_url(q, page + 1) if shown < total and page < MAX_PAGE else "",
        "capped": shown < total and page >= MAX_PAGE,
    }
    template = "assets/_rows.html" if fragment else "assets/_results.html" if results else "assets/list.html"
    return _varies(render(request, template, context))


def _varies(response: HttpResponse) -> HttpResponse:
    # The answer depends on htmx's headers (fragment or page) and on the cookie that says scripts run.
    patch_vary_headers(response, ("HX-Request", "HX-Target", "Cookie"))
    return response


# --- one asset and its time series -----------------------------------------------------------


def location_text(location: dict | None) -> str:
    location = location or {}
    town = " ".join(part for part in (location.get("postalCode"), location.get("locality")) if part)
    return ", ".join(part for part in (location.get("streetAddress"), town, location.get("region"), location.get("country")) if part)


EARLIEST_END = datetime(1970, 1, 2, tzinfo=timezone.utc)


def parse_end(raw: str | None, now: datetime) -> datetime:
    """The chart's end: `?end=` (ISO 8601 with a zone, for links that show the same numbers) or now; whole minutes.

    ValueError for anything else, including times before 1970 or more than a day ahead.
    """
    if not raw:
        return now.replace(second=0, microsecond=0)
    try:
        moment = datetime.fromisoformat(raw.strip().replace(" ", "+"))  # a '+' in a query string arrives as ' '
        if moment.tzinfo is None:
            raise ValueError("no time zone")
        moment = moment.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("out of range") from None
    if not EARLIEST_END <= moment <= now + timedelta(days=1):
        raise ValueError("out of range")
    return moment.replace(second=0, microsecond=0)


def _error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message, "status": status}
    if fragment_of(request, *DETAIL_FRAGMENTS):  # htmx swaps 2xx only: the error card takes the region's place
        return _varies(render(request, "assets/_error_card.html", {**context, "fragment": True}))
    return _varies(render(request, "assets/error.html", context, status=status))


# The asset page's regions that htmx fills: the whole body (after the shell) or the chart (a new choice).
DETAIL_FRAGMENTS = {"asset-body": "assets/_detail_body.html", "series": "assets/_series.html"}


@never_cache
@menu_page("assets:list")  # the role first: no token refresh for a 403
@mindsphere_required
def asset_detail(request: HttpRequest, asset_id: str) -> HttpResponse:
    """An asset's details and a chart of one variable over the last 24 hours, 7 or 30 days.

    A page load from a browser with scripts gets the shell at once, and htmx fetches the body;
    changing the variable or range fetches only the chart (assets/loading.py).
    """
    range_key = request.GET.get("range") or DEFAULT_RANGE
    if range_key not in RANGES:
        return _bad_query(request, _("Unknown range “{range}”; choose one of: {choices}.").format(range=range_key, choices=", ".join(RANGES)))
    try:
        end = parse_end(request.GET.get("end"), datetime.now(timezone.utc))
    except ValueError:
        return _bad_query(
            request,
            _("The end must be an ISO 8601 time with a time zone, e.g. 2026-01-01T12:00:00Z, after 1970 and at most a day ahead."),
        )
    if wants_shell(request):
        context = {"asset_id": asset_id, "shell": True, "load_url": request.get_full_path(), "wait_url": wait_url(request)}
        return _varies(render(request, "assets/detail.html", context))
    client, span = request.mindsphere, RANGES[range_key][1]
    # The asset and a series named in the URL don't depend on each other: both calls at once.
    guess = _named_variable(request.GET.get("variable"))
    calls = [lambda: client.asset(asset_id), lambda: client.aspects(asset_id)]
    if guess is not None:
        calls.append(lambda: series.fetch(client, asset_id, guess, end, span))
    asset, aspects, *fetched = client.at_once(*calls)
    for answer in (asset, aspects):
        if isinstance(answer, MindSphereAPIError):
            if answer.status == 404:  # also another tenant's asset: the gateway scopes to the token's tenant
                return _error_page(request, 404, _("Asset not found"), _("There is no asset with this id in your tenant."))
            logger.warning("asset %r failed: MindSphere answered %s", asset_id, answer.status)
            return _error_page(request, 502, _("The asset could not be loaded"), _("MindSphere answered: {message}").format(message=answer.message))
        if isinstance(answer, BaseException):
            raise answer

    variables = chart_variables(aspects)
    by_key = {variable.key: variable for variable in variables}
    chosen_key = request.GET.get("variable") or (variables[0].key if variables else "")
    if chosen_key and chosen_key not in by_key:
        return _bad_query(
            request,
            _("Unknown variable “{variable}” for this asset; choose one of: {choices}.").format(
                variable=chosen_key, choices=", ".join(by_key) or _("none")
            ),
        )

    context = {
        "asset_id": asset_id,
        "asset": asset,
        "location": location_text(asset.get("location")),
        "static_values": static_values(asset),
        "variables": variables,
        "chosen": by_key.get(chosen_key),
        "ranges": [(key, label) for key, (label, _span) in RANGES.items()],
        "range_key": range_key,
        "range_label": RANGES[range_key][0],
        "end": end,
        "export_form": ExportForm(aspects=aspects, initial=ExportForm.initial_for_last_days()),
        "exports": Export.objects.filter(user=request.user, asset_id=asset_id)[:3],
    }
    status, retry_after = 200, None
    variable = context["chosen"]
    if variable is not None:
        if fetched and (guess.property_set, guess.name) == (variable.property_set, variable.name):
            result = fetched[0]  # fetched without `select`: it carries the quality code if there is one
        else:  # the default variable, or a name whose split was not the guess: now that the asset is known
            result = client.at_once(lambda: series.fetch(client, asset_id, variable, end, span))[0]
        if isinstance(result, MindSphereAPIError):
            logger.warning("time series of asset %r failed: MindSphere answered %s", asset_id, result.status)
            context["series_error"] = _("MindSphere answered: {message}").format(message=result.message)
            status = 502
        elif isinstance(result, RateLimitedError):  # the details stay; the chart waits
            context["series_error"], retry_after = rate_limited_text(result.retry_after), result.retry_after
            status = 503
        elif isinstance(result, BaseException):
            raise result
        else:
            context.update(_chart_context(request, asset_id, variable, range_key, end, result))
    fragment = fragment_of(request, *DETAIL_FRAGMENTS)
    if fragment:  # htmx swaps 2xx only: a series error shows in the region, as on the page
        return _varies(render(request, DETAIL_FRAGMENTS[fragment], {**context, "fragment": True}))
    response = _varies(render(request, "assets/detail.html", context, status=status))
    if status == 503:
        response["Retry-After"] = str(retry_after or app_settings.MINDSPHERE_RETRY_AFTER)
    return response


def _named_variable(key: str | None) -> series.Variable | None:
    """The variable `?variable=` names, split at its first dot (checked against the asset later)."""
    property_set, dot, name = (key or "").partition(".")
    return series.Variable(property_set, name, "") if dot and property_set and name else None


def _table_rows(found: series.Series) -> list[tuple]:
    """(time, mean) per point, or (time, mean, minimum, maximum) where aggregates give the band."""
    if not found.band:
        return list(found.points)
    band = {moment: (low, high) for moment, low, high in found.band}
    return [(moment, mean, *band.get(moment, (None, None))) for moment, mean in found.points]


def _chart_context(request: HttpRequest, asset_id: str, variable: Variable, range_key: str, end: datetime, found: series.Series) -> dict:
    return {
        "start": found.start,
        "end": found.end,  # aggregates cover whole intervals: the chart may end a little before `end`
        "points": found.points,
        "rows": _table_rows(found),
        "band": bool(found.band),  # minimum and maximum columns in the table
        "bucket_minutes": found.bucket_minutes,
        "bad": found.bad,  # values of bad quality, left out
        "uncertain": found.uncertain,
        "chart_svg": charts.line_chart_svg(
            found.points, found.start, found.end, title=variable.label, band=found.band
        )
        if found.points
        else "",
        "permalink": f"{reverse('assets:detail', args=[asset_id])}?"
        + urlencode({"variable": variable.key, "range": range_key, "end": end.strftime("%Y-%m-%dT%H:%MZ")}),
    }
