"""One look at a tenant's fleet: how many assets it has, and which sent no time series data lately.

The fewest calls (docs/fleet.md has the count per run):

1. the asset list, in pages of 200 (Asset Management's largest);
2. each asset type's aspects once (`GET /assets/{id}/aspects` of its first asset: an asset's
   aspects come with its type); an asset without a type is asked for itself;
3. per asset, the latest record of its time-series (dynamic) aspects: IoT Time Series without a
   range answers the latest record, one call that says both *whether* the asset reported since
   the cut-off and *when* it was last seen. It stops at the first aspect that is recent, so an
   asset that reports costs one call; one that does not costs one per time-series aspect.

A 429 is waited out (its Retry-After, else 1, 2, 4 s) up to RATE_LIMIT_RETRIES times per call;
after that the RateLimitedError ends the run, which records it and backs off (fleet.runs).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from mindsphere.api import MindSphereClient
from mindsphere.assetmanagement import ASSETS_MAX_PAGE_SIZE, pages
from mindsphere.exceptions import MindSphereAPIError, RateLimitedError
from mindsphere.timeseries import format_time, parse_time

logger = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3
LONGEST_WAIT = 30  # seconds: a longer Retry-After ends the run instead (the next one comes soon)
T = TypeVar("T")
Asking = Callable[[Callable[[], Any]], Any]  # patiently, bound to the run's progress
sleep = time.sleep  # tests replace it


@dataclass
class Survey:
    asset_count: int
    not_reporting: list[dict]  # {"assetId", "name", "lastSeen": ISO 8601 or None}, by name


def survey(client: MindSphereClient, cutoff: datetime, *, progress: Callable[[], None] = lambda: None) -> Survey:
    """Every asset of the client's tenant, and those whose time series has no record after `cutoff`.

    `progress` is called after each asset and before waiting out a 429 (the run keeps its hold on
    the tenant with it).
    """

    def ask(call: Callable[[], T]) -> T:
        return patiently(call, before_waiting=progress)

    assets = _all_assets(client, ask)
    aspects_of_type: dict[str, list[str]] = {}
    silent = []
    for asset in assets:
        row = _not_reporting(client, ask, asset, cutoff, aspects_of_type)
        if row is not None:
            silent.append(row)
        progress()
    silent.sort(key=lambda row: (row["name"].lower(), row["assetId"]))
    return Survey(asset_count=len(assets), not_reporting=silent)


def _all_assets(client: MindSphereClient, ask: Asking) -> list[dict]:
    def fetch(number: int) -> dict:
        return ask(partial(client.assets_page, page=number, size=ASSETS_MAX_PAGE_SIZE, sort="name,asc"))

    unique: dict[str, dict] = {}
    for rows, _page in pages(fetch, "assets", ASSETS_MAX_PAGE_SIZE):
        # An asset added or deleted while paging shifts the pages: count each asset once.
        unique.update((row["assetId"], row) for row in rows if isinstance(row, dict) and row.get("assetId"))
    return list(unique.values())


def _not_reporting(
    client: MindSphereClient, ask: Asking, asset: dict, cutoff: datetime, aspects_of_type: dict[str, list[str]]
) -> dict | None:
    """The asset's row when it has time series and none has a record after `cutoff`; else None.

    An asset without time-series aspects (a site, a folder of the hierarchy) has nothing to
    report; one deleted since the list was read (404) is left out.
    """
    latest: datetime | None = None
    try:
        aspects = _dynamic_aspects(client, ask, asset, aspects_of_type)
        for aspect in aspects:
            moment = _time_of(ask(partial(client.latest_record, asset["assetId"], aspect)))
            if moment is not None and moment > cutoff:
                return None
            if moment is not None and (latest is None or moment > latest):
                latest = moment
    except MindSphereAPIError as error:
        if error.status == 404:
            return None
        raise
    if not aspects:
        return None
    return {
        "assetId": asset["assetId"],
        "name": str(asset.get("name", "")),
        "lastSeen": format_time(latest) if latest else None,
    }


def _dynamic_aspects(
    client: MindSphereClient, ask: Asking, asset: dict, aspects_of_type: dict[str, list[str]]
) -> list[str]:
    type_id = str(asset.get("typeId") or "")
    if type_id and type_id in aspects_of_type:
        return aspects_of_type[type_id]
    names = [
        str(aspect["name"])
        for aspect in ask(partial(client.aspects, asset["assetId"]))
        if aspect.get("category") == "dynamic" and aspect.get("name")
    ]
    if type_id:
        aspects_of_type[type_id] = names
    return names


def _time_of(record: dict | None) -> datetime | None:
    value = record.get("_time") if record else None
    if not isinstance(value, str):
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def patiently(call: Callable[[], T], *, before_waiting: Callable[[], None] = lambda: None) -> T:
    """`call()`, waiting out MindSphere's rate limit (429) up to RATE_LIMIT_RETRIES times.

    `before_waiting` is called before each wait (the run renews its hold on the tenant).
    """
    for attempt in range(RATE_LIMIT_RETRIES + 1):
        try:
            return call()
        except RateLimitedError as error:
            wait = error.retry_after if error.retry_after is not None else 2**attempt
            if attempt == RATE_LIMIT_RETRIES or wait > LONGEST_WAIT:
                raise
            logger.info("MindSphere's rate limit: waiting %s s before asking again", wait)
            before_waiting()
            sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises
