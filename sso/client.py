"""An API client bound to the MindSphere gateway and one person's token record.

Bearer calls go through requests-oauthlib; on a 401 the client forces one refresh (single-flight
with every other process) and retries once. Paging helpers cover the two APIs the app uses.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeoutError
from datetime import datetime, timezone
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from django.db import connections
from requests_oauthlib import OAuth2Session

from . import tenants, tokens
from .app_settings import app_settings
from .exceptions import MindSphereError, ProviderUnavailableError
from .models import TokenRecord

TIME_SERIES_PAGE_LIMIT = 2000  # records per IoT Time Series call: the API's largest page
ASSETS_MAX_PAGE_SIZE = 200  # assets (and aspects) per Asset Management page: the API's largest
AGGREGATES_MAX_INTERVALS = 200  # intervals per IoT Time Series Aggregates call: the API's limit
MAX_MESSAGE = 500  # characters of a server's error message shown to people
T = TypeVar("T")


class MindSphereAPIError(MindSphereError):
    """The gateway answered an error (4xx or 5xx other than an outage)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class MindSphereClient:
    """Calls the gateway as the person whose record it holds."""

    def __init__(self, record: TokenRecord, gateway_url: str | None = None, timeout: float | None = None) -> None:
        self.record = record
        # The setting may hold {region} and {tenant} placeholders, as docs/configuration.md shows.
        self.gateway_url = (gateway_url or tenants.gateway_base(record.tenant)).rstrip("/")
        self.timeout = timeout or app_settings.MINDSPHERE_HTTP_TIMEOUT

    @property
    def tenant(self) -> str:
        return self.record.tenant

    def _session(self) -> OAuth2Session:
        return OAuth2Session(
            app_settings.MINDSPHERE_CLIENT_ID, token={"access_token": tokens.access_token(self.record), "token_type": "Bearer"}
        )

    def _send(self, url: str, params: dict | None) -> requests.Response:
        with self._session() as session:
            try:
                return session.get(url, params=params, timeout=self.timeout, headers=_headers())
            except (requests.Timeout, requests.ConnectionError) as error:
                raise ProviderUnavailableError(f"gateway unreachable: {type(error).__name__}") from None

    def get(self, path: str, params: dict | None = None) -> requests.Response:
        """GET `path` (under the gateway, or an absolute URL from a `next` link) with one retry on 401."""
        url = path if path.startswith(("http://", "https://")) else f"{self.gateway_url}/{path.lstrip('/')}"
        if not url.startswith(self.gateway_url + "/"):
            raise MindSphereAPIError(400, "refusing to send the token outside the gateway")
        response = self._send(url, params)
        if response.status_code == 401:
            # The token may have been revoked or rotated early: refresh once, then retry once.
            self.record = tokens.refresh(self.record.pk, only_if_token_is=self.record.access_token_encrypted)
            response = self._send(url, params)
        if response.status_code in (429, 502, 503, 504):
            raise ProviderUnavailableError.from_response(response, "gateway")
        if response.status_code >= 400:
            raise MindSphereAPIError(response.status_code, _error_message(response))
        return response

    def get_json(self, path: str, params: dict | None = None) -> Any:
        return _body(self.get(path, params))

    # --- Asset Management --------------------------------------------------------------------
    def assets_page(self, *, page: int = 0, size: int = 10, name_contains: str = "", sort: str = "name,asc") -> dict:
        """One page of `GET /assets`; `size` is at most ASSETS_MAX_PAGE_SIZE (the API refuses more)."""
        if not 1 <= size <= ASSETS_MAX_PAGE_SIZE:
            raise ValueError(f"Asset Management pages hold 1 to {ASSETS_MAX_PAGE_SIZE} assets, not {size}")
        params: dict[str, Any] = {"page": page, "size": size, "sort": sort}
        if name_contains:
            params["filter"] = _json({"name": {"contains": name_contains}})
        return self.get_json("api/assetmanagement/v3/assets", params)

    def first_assets(self, count: int, *, name_contains: str = "") -> tuple[list[dict], int]:
        """The first `count` assets by name and how many match in all, in pages of at most 200."""
        size = min(count, ASSETS_MAX_PAGE_SIZE)
        found: list[dict] = []
        page, total = 0, 0
        while len(found) < count:
            body = self.assets_page(page=page, size=size, name_contains=name_contains)
            rows = body.get("_embedded", {}).get("assets", [])
            found += rows
            total = body.get("page", {}).get("totalElements", len(found))
            if len(rows) < size or page + 1 >= body.get("page", {}).get("totalPages", 0):
                break
            page += 1
        return found[:count], total

    def aspects(self, asset_id: str) -> list[dict]:
        """Every aspect of the asset with its definition (`GET /assets/{id}/aspects`, all pages).

        Each is an AspectResource: `name`, `category` ("dynamic" for time series, "static"),
        `aspectTypeId`, `variables` with `name`, `dataType`, `unit`, `qualityCode`, …
        """
        found: list[dict] = []
        page = 0
        while True:
            params = {"page": page, "size": ASSETS_MAX_PAGE_SIZE}
            body = self.get_json(f"api/assetmanagement/v3/assets/{_segment(asset_id)}/aspects", params)
            found += body.get("_embedded", {}).get("aspects", []) if isinstance(body, dict) else []
            if not isinstance(body, dict) or page + 1 >= body.get("page", {}).get("totalPages", 0):
                return found
            page += 1

    def iter_assets(self, *, size: int = 100, name_contains: str = "") -> Iterator[dict]:
        page = 0
        while True:
            body = self.assets_page(page=page, size=size, name_contains=name_contains)
            yield from body.get("_embedded", {}).get("assets", [])
            if page + 1 >= body.get("page", {}).get("totalPages", 0):
                return
            page += 1

    def asset(self, asset_id: str) -> dict:
        return self.get_json(f"api/assetmanagement/v3/assets/{_segment(asset_id)}")

    # --- IoT Time Series -----------------------------------------------------------------------
    def time_series_page(
        self,
        entity_id: str,
        property_set: str,
        start: datetime,
        end: datetime,
        *,
        select: list[str] | None = None,
        limit: int = TIME_SERIES_PAGE_LIMIT,
        url: str | None = None,
    ) -> tuple[list[dict], str | None]:
        """One page of records in (start, end] and the URL of the next (the API's `Link: rel="next"`), or None.

        `url`: a next link from an earlier page, which carries its own query.
        """
        params: dict[str, Any] | None = None
        if url is None:
            params = {"from": _iso(start), "to": _iso(end)}
            if select:
                params["select"] = ",".join(select)
            if limit:
                params["limit"] = limit
            url = f"api/iottimeseries/v3/timeseries/{_segment(entity_id)}/{_segment(property_set)}"
        response = self.get(url, params)
        body = _body(response)
        return (body if isinstance(body, list) else []), response.links.get("next", {}).get("url")

    def iter_time_series(
        self,
        entity_id: str,
        property_set: str,
        start: datetime,
        end: datetime,
        *,
        select: list[str] | None = None,
        limit: int = TIME_SERIES_PAGE_LIMIT,
    ) -> Iterator[list[dict]]:
        """Pages of records in (start, end], following the API's `Link: rel="next"` header."""
        records, url = self.time_series_page(entity_id, property_set, start, end, select=select, limit=limit)
        yield records
        while url:
            records, url = self.time_series_page(entity_id, property_set, start, end, url=url)
            yield records

    # --- IoT Time Series Aggregates ------------------------------------------------------------
    def aggregates(
        self,
        asset_id: str,
        aspect: str,
        start: datetime,
        end: datetime,
        *,
        interval_unit: str,
        interval_value: int,
        select: list[str] | None = None,
    ) -> list[dict]:
        """Aggregates v4 of (start, end] per interval, oldest first: one call, at most 200 intervals.

        Each item has `starttime`, `endtime` and per variable `average`, `minvalue`, `maxvalue`,
        `countgood`, … (intervals without data are left out by the API).
        """
        params: dict[str, Any] = {
            "assetId": asset_id,
            "aspectName": aspect,
            "from": _iso(start),
            "to": _iso(end),
            "intervalUnit": interval_unit,
            "intervalValue": interval_value,
        }
        if select:
            params["select"] = ",".join(select)
        body = self.get_json("api/iottsaggregates/v4/aggregates", params)
        return body.get("aggregates", []) if isinstance(body, dict) else []

    # --- independent calls ------------------------------------------------------------------------
    def at_once(self, *calls: Callable[[], T]) -> list[T | BaseException]:
        """Run independent gateway calls concurrently; together they get the client's timeout.

        Each result is the call's value or the exception it raised, in the order given; calls
        still running when the timeout is over count as an outage (ProviderUnavailableError).
        """
        deadline = time.monotonic() + self.timeout
        pool = ThreadPoolExecutor(max_workers=len(calls))
        try:
            futures = [pool.submit(_in_thread, call) for call in calls]
            results: list[T | BaseException] = []
            for future in futures:
                try:
                    results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
                except FuturesTimeoutError:
                    results.append(ProviderUnavailableError("gateway calls took longer than the timeout"))
                except Exception as error:  # the caller decides what each failure means
                    results.append(error)
            return results
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def _in_thread(call: Callable[[], T]) -> T:
    try:
        return call()
    finally:
        # A forced refresh on a 401 uses the database from this thread: close its connection.
        connections.close_all()


def _headers() -> dict[str, str]:
    # The app's name and version from Developer Cockpit, so MindSphere's logs can tell its calls apart.
    agent = f"{app_settings.MINDSPHERE_APP_NAME}/{app_settings.MINDSPHERE_APP_VERSION}"
    return {"Accept": "application/json", "User-Agent": agent}


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise MindSphereAPIError(502, "the gateway answered something that is not JSON") from None


def _json(value: dict) -> str:
    return json.dumps(value, separators=(",", ":"))


def _segment(value: str) -> str:
    """`value` as one path segment: '/' encoded, and "." or ".." too, which URL parsers would resolve away."""
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


def parse_time(value: str) -> datetime:
    """A `_time` of the IoT Time Series API ("2017-11-02T00:00:00.001Z") as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _error_message(response: requests.Response) -> str:
    """The server's own words: each API has its error body (docs/emulator.md names the sources).

    Asset Management and the gateway: `{"errors": [{"code", "logref", "message"}]}`; IoT Time
    Series: `{"id", "message"}`; OAuth-style answers: `{"error", "error_description"}`.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get("message"):
            return str(errors[0]["message"])[:MAX_MESSAGE]
        for key in ("message", "error_description"):
            if isinstance(body.get(key), str) and body[key].strip():
                return body[key].strip()[:MAX_MESSAGE]
    return f"MindSphere answered {response.status_code}"
