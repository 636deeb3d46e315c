"""What each block shows: a function of the request and the block's cleaned arguments (blocks/catalogue.py).

The functions of blocks that call MindSphere run in the block's own view (blocks/views.py), with
`request.mindsphere`, the signed-in person's token-checked client: MindSphere's errors propagate and
the view turns them into the block's notices; `NotFound` is the block's own "not found". The others
read the database as the page renders. Each reuses what the pages show (assets, fleet, tenantadmin).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from assets import charts, series
from assets.aspects import chart_variables
from assets.forms import RANGES, ExportForm
from assets.views import detail_url, list_rows
from fleet.display import overview_context
from mindsphere.exceptions import MindSphereAPIError
from mindsphere.timeseries import parse_time
from navigation.access import may_open
from sso import session
from sso.request_types import MindSphereRequest
from tenantadmin.people import mapping_summary as tenant_mapping_summary
from tenantadmin.people import people_of


class NotFound(Exception):
    """What the block was asked to show does not exist (in the person's tenant): its "not found" notice."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _own_tenant(request: HttpRequest) -> str | None:
    # From the identity kept at sign-in, never from the request; a subtenant's people manage nothing.
    identity = session.identity(request)
    return identity.tenant if identity and identity.tenant and not identity.subtenant else None


def _each(*results: Any) -> list[Any]:
    """The results of `at_once`, or the first failure raised: an unknown asset is the block's "not found"."""
    for result in results:
        if isinstance(result, MindSphereAPIError) and result.status == 404:
            raise NotFound(_("There is no asset with this id in your tenant."))
        if isinstance(result, BaseException):
            raise result
    return list(results)


# --- blocks read from the database ---------------------------------------------------------------


def fleet_overview(request: HttpRequest) -> dict | None:
    context = overview_context(request)
    return context if context["shown"] else None


def link(request: HttpRequest, url_name: str, title: str = "", icon: str = "") -> dict | None:
    """A link to one of the app's pages, for the people that page lets in (navigation.access.may_open)."""
    if not may_open(request.user, url_name):
        return None
    return {"url": reverse(url_name), "title": title or url_name, "icon": icon}


def mapping_summary(request: HttpRequest) -> dict | None:
    tenant = _own_tenant(request)
    return tenant_mapping_summary(tenant) if tenant else None


def people(request: HttpRequest, size: int = 5) -> dict | None:
    tenant = _own_tenant(request)
    if tenant is None:
        return None
    everyone = people_of(tenant)
    shown = list(everyone[: size + 1])  # one more than shown: whether there are more, without a count
    return {"tenant": tenant, "people": shown[:size], "more": len(shown) > size}


# --- blocks that call MindSphere (in /blocks/<name>/) ---------------------------------------------


def asset_list(request: MindSphereRequest, query: str = "", size: int = 5) -> dict:
    body = request.mindsphere.assets_page(page=0, size=size, name_contains=query)
    assets = body.get("_embedded", {}).get("assets", [])
    total = body.get("page", {}).get("totalElements", len(assets))
    return {"q": query, "assets": list_rows(assets), "total": total, "more": total > len(assets)}


def latest_values(request: MindSphereRequest, asset: str, aspect: str) -> dict:
    """The aspect's latest record: each variable with its unit, and when it was recorded."""
    client = request.mindsphere
    found, aspects, record = client.at_once(
        lambda: client.asset(asset), lambda: client.aspects(asset), lambda: client.latest_record(asset, aspect)
    )
    found, aspects = _each(found, aspects)
    if not any(isinstance(item, dict) and item.get("name") == aspect for item in aspects):
        raise NotFound(_("The asset has no aspect “{aspect}”.").format(aspect=aspect))
    (record,) = _each(record)
    units = {variable.name: variable.unit for variable in chart_variables(aspects) if variable.property_set == aspect}
    values = [
        {"name": name, "value": value, "unit": units.get(name, "")}
        for name, value in (record or {}).items()
        if not name.startswith("_") and not name.endswith("_qc")
    ]
    recorded = parse_time(record["_time"]) if record and record.get("_time") else None
    return {"asset": found, "aspect": aspect, "values": values, "recorded": recorded, "asset_url": detail_url(asset)}


def chart(request: MindSphereRequest, asset: str, variable: str = "", range: str = "24h") -> dict:  # noqa: A002
    """One variable of the asset over a range, as the asset page charts it (assets.series, assets.charts)."""
    client = request.mindsphere
    found, aspects = _each(*client.at_once(lambda: client.asset(asset), lambda: client.aspects(asset)))
    variables = {item.key: item for item in chart_variables(aspects)}
    chosen = variables.get(variable) if variable else next(iter(variables.values()), None)
    if variable and chosen is None:
        raise NotFound(_("The asset has no variable “{variable}”.").format(variable=variable))
    label, span = RANGES[range]
    context = {"asset": found, "chosen": chosen, "range_label": label, "asset_url": detail_url(asset)}
    if chosen is None:
        return context
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    (fetched,) = _each(*client.at_once(lambda: series.fetch(client, asset, chosen, end, span)))
    query = urlencode({"variable": chosen.key, "range": range, "end": end.strftime("%Y-%m-%dT%H:%MZ")})
    return {**context, **charts.chart_context(fetched, chosen.label), "permalink": f"{context['asset_url']}?{query}"}


def export(request: MindSphereRequest, asset: str) -> dict:
    """The asset page's export form: it posts to the asset's export (assets.views_exports.start_export)."""
    client = request.mindsphere
    found, aspects = _each(*client.at_once(lambda: client.asset(asset), lambda: client.aspects(asset)))
    form = ExportForm(aspects=aspects, initial=ExportForm.initial_for_last_days())
    return {"asset": found, "form": form, "asset_url": detail_url(asset)}
