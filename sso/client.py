"""An API client bound to the MindSphere gateway and one person's token record.

Bearer calls go through requests-oauthlib; on a 401 the client forces one refresh (single-flight
with every other process) and retries once. Paging helpers cover the two APIs the app uses.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import requests
from requests_oauthlib import OAuth2Session

from . import conf, tokens
from .exceptions import MindSphereError, ProviderUnavailableError
from .models import TokenRecord

logger = logging.getLogger(__name__)


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
        self.gateway_url = (gateway_url or conf.get("MINDSPHERE_GATEWAY_URL")).rstrip("/")
        self.timeout = timeout or conf.get("MINDSPHERE_HTTP_TIMEOUT")

    @property
    def tenant(self) -> str:
        return self.record.tenant

    def _session(self) -> OAuth2Session:
        return OAuth2Session(
            conf.get("MINDSPHERE_CLIENT_ID"), token={"access_token": self.record.access_token, "token_type": "Bearer"}
        )

    def _send(self, url: str, params: dict | None) -> requests.Response:
        with self._session() as session:
            try:
                return session.get(url, params=params, timeout=self.timeout, headers={"Accept": "application/json"})
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
            self.record = tokens.refresh(self.record.pk, unless_changed_from=self.record.access_token_encrypted)
            response = self._send(url, params)
        if response.status_code in (429, 502, 503, 504):
            retry_after = response.headers.get("Retry-After", "")
            raise ProviderUnavailableError(
                f"gateway answered {response.status_code}", retry_after=int(retry_after) if retry_after.isdigit() else None
            )
        if response.status_code >= 400:
            raise MindSphereAPIError(response.status_code, _error_message(response))
        return response

    def get_json(self, path: str, params: dict | None = None) -> Any:
        response = self.get(path, params)
        try:
            return response.json()
        except ValueError:
            raise MindSphereAPIError(502, "the gateway answered something that is not JSON") from None

    # --- Asset Management --------------------------------------------------------------------
    def assets_page(self, *, page: int = 0, size: int = 10, name_contains: str = "", sort: str = "name,asc") -> dict:
        params: dict[str, Any] = {"page": page, "size": size, "sort": sort}
        if name_contains:
            params["filter"] = _json({"name": {"contains": name_contains}})
        return self.get_json("api/assetmanagement/v3/assets", params)

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
    def iter_time_series(
        self,
        entity_id: str,
        property_set: str,
        start: datetime,
        end: datetime,
        *,
        select: list[str] | None = None,
        limit: int | None = None,
    ) -> Iterator[list[dict]]:
        """Pages of records in (start, end], following the API's `Link: rel="next"` header."""
        params: dict[str, Any] | None = {"from": _iso(start), "to": _iso(end)}
        if select:
            params["select"] = ",".join(select)
        if limit:
            params["limit"] = limit
        url = f"api/iottimeseries/v3/timeseries/{_segment(entity_id)}/{_segment(property_set)}"
        while url:
            response = self.get(url, params)
            try:
                page = response.json()
            except ValueError:
                raise MindSphereAPIError(502, "the gateway answered something that is not JSON") from None
            yield page
            url = response.links.get("next", {}).get("url")
            params = None  # the next link carries its own query

    def time_series(self, entity_id: str, property_set: str, start: datetime, end: datetime, **kwargs) -> list[dict]:
        return [record for page in self.iter_time_series(entity_id, property_set, start, end, **kwargs) for record in page]


def _json(value: dict) -> str:
    return json.dumps(value, separators=(",", ":"))


def _segment(value: str) -> str:
    return quote(value, safe="")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _error_message(response: requests.Response) -> str:
    try:
        errors = response.json().get("errors") or []
        if errors and isinstance(errors[0], dict) and errors[0].get("message"):
            return str(errors[0]["message"])
    except (ValueError, AttributeError):
        pass
    return f"MindSphere answered {response.status_code}"
