"""The API gateway: Asset Management v3, IoT Time Series v3 and Aggregates v4, bearer-protected.

Every answer is scoped to the tenant of the token. Errors use each API's own body: Asset
Management (and the gateway itself) `{"errors": [{"code", "logref", "message"}]}`, IoT Time Series
`{"id", "message"}` (docs/emulator.md names the sources).
"""

from __future__ import annotations

import functools
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from . import aggregates, faults, filters, timeseries
from . import aspects as aspect_definitions
from .bearer import GatewayAuthError, authenticate
from .models import Asset, Fault, Tenant
from .regions import prefix

MAX_PAGE_SIZE = 200  # Asset Management's largest page (it was 2000 before Siemens lowered it)
MAX_LIMIT = 2000  # IoT Time Series: records per call, and the default
SORTABLE = {"name": "name", "externalId": "external_id", "typeId": "type_id", "assetId": "asset_id"}
# Seconds a client is asked to wait after a 429 of the rate-limit fault.
RATE_LIMIT_RETRY_AFTER = "2"


def error(status: int, message: str, code: str) -> JsonResponse:
    body = {"errors": [{"code": code, "logref": uuid.uuid4().hex, "message": message}]}
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def time_series_error(status: int, message: str) -> JsonResponse:
    """IoT Time Series' error body: `{"id", "message"}`, not Asset Management's `errors` list."""
    return JsonResponse({"id": uuid.uuid4().hex, "message": message}, status=status)


def bearer_protected(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            tenant, claims = authenticate(request)
        except GatewayAuthError as failure:
            code = "mdsp.core.gateway.unauthorized" if failure.status == 401 else "mdsp.core.gateway.forbidden"
            return error(failure.status, failure.message, code)
        refusal = play(faults.take(tenant.name, Fault.Target.GATEWAY, request.path_info))
        return refusal if refusal is not None else view(request, tenant, *args, **kwargs)

    return wrapper


def play(fault: Fault | None) -> JsonResponse | None:
    """A gateway fault played back: a hang holds the call (None: answer normally), 429 and 503 answer it."""
    if fault is None:
        return None
    if fault.mode == Fault.Mode.HANG:
        time.sleep(fault.hang_seconds)
        return None
    if fault.mode == Fault.Mode.TOO_MANY_REQUESTS:
        message = "Rate limit exceeded for this tenant; retry later (emulated fault)."
        response = error(429, message, "mdsp.core.gateway.tooManyRequests")
        response["Retry-After"] = RATE_LIMIT_RETRY_AFTER
        return response
    response = error(503, "The service is unavailable (emulated fault).", "mdsp.core.gateway.unavailable")
    response["Retry-After"] = "1"
    return response


class BadRequest(ValueError):
    pass


def _int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be a whole number.") from None
    if not low <= value <= high:
        raise BadRequest(f"Parameter '{name}' must be between {low} and {high}.")
    return value


def _filtered(assets: QuerySet, raw: str | None) -> QuerySet:
    """Asset Management's documented filter language (emulator.filters)."""
    if not raw:
        return assets
    try:
        return assets.filter(filters.parse(raw))
    except filters.FilterError as problem:
        raise BadRequest(str(problem)) from None


def _ordered(assets: QuerySet, raw: str | None) -> QuerySet:
    field, _, direction = (raw or "name,asc").partition(",")
    if field not in SORTABLE or direction.lower() not in ("", "asc", "desc"):
        raise BadRequest(f"Parameter 'sort' must be one of {', '.join(SORTABLE)} with ',asc' or ',desc'.")
    prefix = "-" if direction.lower() == "desc" else ""
    return assets.order_by(f"{prefix}{SORTABLE[field]}", f"{prefix}asset_id")


def segment(value: str) -> str:
    """`value` as one URL path segment; "." and ".." encoded too, or URL parsers would resolve them away."""
    return value.replace(".", "%2E") if value in (".", "..") else quote(value, safe="")


def asset_href(request: HttpRequest, asset: Asset) -> str:
    return request.build_absolute_uri(
        f"{prefix(request)}/gateway/api/assetmanagement/v3/assets/{segment(asset.asset_id)}"
    )


def asset_json(request: HttpRequest, asset: Asset) -> dict:
    href = asset_href(request, asset)
    return {
        "assetId": asset.asset_id,
        "tenantId": asset.tenant.name,
        "name": asset.name,
        "externalId": asset.external_id,
        "description": asset.description,
        "parentId": asset.parent_id or None,
        "typeId": asset.type_id,
        "timezone": asset.timezone,
        "location": asset.location,
        "variables": [],
        # Static aspects and their values only; time-series aspects are under /aspects.
        "aspects": aspect_definitions.static_values(asset.aspects),
        "deleted": None,
        "etag": asset.etag,
        "_links": {"self": {"href": href}, "aspects": {"href": f"{href}/aspects"}},
    }


@require_GET
@bearer_protected
def assets(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    try:
        page, size = _page_params(request)
        found = _ordered(
            _filtered(Asset.objects.filter(tenant=tenant), request.GET.get("filter")), request.GET.get("sort")
        )
    except BadRequest as problem:
        return error(400, str(problem), "mdsp.core.assetmanagement.badRequest")
    total = found.count()
    rows = found.select_related("tenant")[page * size : (page + 1) * size]
    return JsonResponse(_hal_page(request, "assets", [asset_json(request, asset) for asset in rows], total, page, size))


@require_GET
@bearer_protected
def asset_aspects(request: HttpRequest, tenant: Tenant, asset_id: str) -> HttpResponse:
    """`GET /assets/{id}/aspects`: the asset's static and dynamic aspects with their definitions, paged."""
    asset = _tenant_asset(tenant, asset_id)
    if asset is None:
        return _asset_not_found(asset_id)
    try:
        page, size = _page_params(request)
    except BadRequest as problem:
        return error(400, str(problem), "mdsp.core.assetmanagement.badRequest")
    href = asset_href(request, asset)
    every = [aspect_definitions.resource(aspect, asset.asset_id, tenant.name, href) for aspect in asset.aspects]
    return JsonResponse(_hal_page(request, "aspects", every[page * size : (page + 1) * size], len(every), page, size))


def _tenant_asset(tenant: Tenant, asset_id: str) -> Asset | None:
    return Asset.objects.select_related("tenant").filter(tenant=tenant, asset_id=asset_id).first()


def _asset_not_found(asset_id: str) -> HttpResponse:
    return error(404, f"Asset {asset_id} not found.", "mdsp.core.assetmanagement.notFound")


def _page_params(request: HttpRequest) -> tuple[int, int]:
    """`page` and `size` of an Asset Management list (BadRequest when out of bounds)."""
    return _int_param(request, "page", 0, 0, 10**6), _int_param(request, "size", 10, 1, MAX_PAGE_SIZE)


def _hal_page(request: HttpRequest, name: str, items: list[dict], total: int, page: int, size: int) -> dict:
    """One page of a HAL collection, as Asset Management sends it: the items, page facts and links."""
    pages = (total + size - 1) // size
    return {
        "_embedded": {name: items},
        "page": {"size": size, "totalElements": total, "totalPages": pages, "number": page},
        "_links": _page_links(request, page, pages),
    }


def _page_links(request: HttpRequest, page: int, pages: int) -> dict:
    def link(number: int) -> dict:
        params = request.GET.copy()
        params["page"] = str(number)
        return {"href": request.build_absolute_uri(f"{request.path}?{params.urlencode()}")}

    links = {"self": link(page), "first": link(0)}
    if page > 0:
        links["prev"] = link(min(page - 1, max(pages - 1, 0)))
    if page + 1 < pages:
        links["next"] = link(page + 1)
    links["last"] = link(max(pages - 1, 0))
    return links


@require_GET
@bearer_protected
def asset_detail(request: HttpRequest, tenant: Tenant, asset_id: str) -> HttpResponse:
    asset = _tenant_asset(tenant, asset_id)
    if asset is None:
        return _asset_not_found(asset_id)
    return JsonResponse(asset_json(request, asset))


def _parse_time(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be an ISO 8601 time such as 2026-01-01T00:00:00Z.") from None
    if moment.tzinfo is None:
        raise BadRequest(f"Parameter '{name}' needs a time zone, e.g. a trailing Z.")
    return moment.astimezone(UTC)


@require_GET
@bearer_protected
def time_series(request: HttpRequest, tenant: Tenant, entity_id: str, property_set: str) -> HttpResponse:
    asset = Asset.objects.filter(tenant=tenant, asset_id=entity_id).first()
    aspect = asset.dynamic_aspect(property_set) if asset else None
    if aspect is None:
        return time_series_error(404, f"No property set '{property_set}' for entity {entity_id}.")
    variables, step = aspect_definitions.variable_names(aspect), aspect_definitions.step(aspect)
    with_quality = aspect_definitions.with_quality(aspect)
    try:
        start, end = _parse_time(request, "from"), _parse_time(request, "to")
        limit = _int_param(request, "limit", MAX_LIMIT, 1, MAX_LIMIT)
        chosen = _selected(request.GET.get("select"), variables, with_quality)
        descending = _descending(request.GET.get("sort"))
        if (start is None) != (end is None):
            raise BadRequest("Give both 'from' and 'to', or neither for the latest record.")
        if start is not None and end is not None and end <= start:
            raise BadRequest("'to' must be later than 'from'.")
    except BadRequest as problem:
        return time_series_error(400, str(problem))

    newest = _newest_record(asset)
    if start is None or end is None:  # neither given (both or neither, checked above): the latest record
        marks = [timeseries.floor_to(newest or datetime.now(UTC), step)]
    else:
        last = end if newest is None else min(end, newest)
        marks = timeseries.times_between(start, last, limit=limit + 1, descending=descending, step=step)
    more, marks = len(marks) > limit, marks[:limit]
    codes = {f"{variable}_qc" for variable in with_quality}
    records = [_record(entity_id, chosen, moment, step, codes) for moment in marks]
    response = JsonResponse(records, safe=False)
    if more and start is not None and end is not None:  # only a range has more pages
        # Not request.path: it is decoded, and a property set named "a/b" or ".." must stay one segment.
        path = f"{prefix(request)}/gateway/api/iottimeseries/v3/timeseries/{segment(entity_id)}/{segment(property_set)}"
        response["Link"] = f'<{_next_url(request, path, marks[-1], start, end, descending)}>; rel="next"'
    return response


def _newest_record(asset: Asset | None) -> datetime | None:
    """The latest moment an asset that stopped reporting has records for; None for one that reports."""
    if asset is None or not asset.silent_seconds:
        return None  # its series goes on, into the future too
    return datetime.now(UTC) - timedelta(seconds=asset.silent_seconds)


def _selected(raw: str | None, variables: list[str], with_quality: set[str]) -> list[str]:
    """The names a record carries: the variables, and `{variable}_qc` for those with a quality code."""
    if not raw:
        names = []
        for variable in variables:
            names += [variable, f"{variable}_qc"] if variable in with_quality else [variable]
        return names
    chosen = [item.strip() for item in raw.split(",") if item.strip()]
    known = set(variables) | {f"{variable}_qc" for variable in with_quality} | {"_time"}
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise BadRequest(f"Unknown variable(s) in 'select': {', '.join(unknown)}.")
    return [item for item in chosen if item != "_time"]


def _descending(raw: str | None) -> bool:
    if raw in (None, "", "asc"):
        return False
    if raw == "desc":
        return True
    raise BadRequest("Parameter 'sort' must be 'asc' or 'desc'.")


def _record(entity_id: str, chosen: list[str], moment: datetime, step: timedelta, codes: set[str]) -> dict:
    record: dict = {"_time": timeseries.format_time(moment)}
    for name in chosen:
        if name in codes:
            record[name] = timeseries.quality_at(entity_id, name[:-3], moment)
        else:
            record[name] = timeseries.value_at(entity_id, name, moment, step)
    return record


def _next_url(request: HttpRequest, path: str, last: datetime, start: datetime, end: datetime, descending: bool) -> str:
    params = request.GET.copy()
    if descending:
        # `to` is inclusive: continue one millisecond before the last record sent.
        params["to"] = timeseries.format_time(last.replace(microsecond=0) - timedelta(milliseconds=1))
        params["from"] = timeseries.format_time(start)
    else:
        params["from"] = timeseries.format_time(last)  # `from` is exclusive
        params["to"] = timeseries.format_time(end)
    return request.build_absolute_uri(f"{path}?{urlencode(sorted(params.items()))}")


@require_GET
@bearer_protected
def time_series_aggregates(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """IoT Time Series Aggregates v4: `GET /api/iottsaggregates/v4/aggregates?assetId=&aspectName=…`."""
    asset_id, aspect = request.GET.get("assetId"), request.GET.get("aspectName")
    if not asset_id or not aspect:
        return error(
            400, "Parameters 'assetId' and 'aspectName' are required.", "mdsp.core.iot.tsaggregates.badRequest"
        )
    asset = Asset.objects.filter(tenant=tenant, asset_id=asset_id).first()
    definition = asset.dynamic_aspect(aspect) if asset else None
    if definition is None:
        return error(404, f"No aspect '{aspect}' for asset {asset_id}.", "mdsp.core.iot.tsaggregates.notFound")
    variables, with_quality = aspect_definitions.variable_names(definition), aspect_definitions.with_quality(definition)
    try:
        if request.GET.get("count"):
            raise aggregates.AggregatesError("The emulator does not support 'count'; give 'from' and 'to'.")
        start, end = aggregates.resolve_range(
            _parse_time(request, "from"), _parse_time(request, "to"), datetime.now(UTC)
        )
        interval = aggregates.parse_interval(request.GET.get("intervalUnit"), request.GET.get("intervalValue"))
        chosen = _selected(request.GET.get("select"), variables, with_quality)
        names = [name for name in chosen if not name.endswith("_qc")] if request.GET.get("select") else variables
        body = aggregates.aggregate(
            asset_id,
            names,
            start,
            end,
            interval or aggregates.auto_interval(start, end),
            step=aspect_definitions.step(definition),
            with_quality=with_quality,
            until=_newest_record(asset),
        )
    except (BadRequest, aggregates.AggregatesError) as problem:
        return error(400, str(problem), "mdsp.core.iot.tsaggregates.badRequest")
    return JsonResponse({"aggregates": body})
