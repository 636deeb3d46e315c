"""IoT Time Series v3 through the gateway: an entity's records in (start, end], page by page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from .gateway import Gateway, json_body, path_segment

TIME_SERIES_PAGE_LIMIT = 2000  # records per IoT Time Series call: the API's largest page
TIME_SERIES = "api/iottimeseries/v3/timeseries"


class TimeSeries(Gateway):
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
            params = {"from": format_time(start), "to": format_time(end)}
            if select:
                params["select"] = ",".join(select)
            if limit:
                params["limit"] = limit
            url = f"{TIME_SERIES}/{path_segment(entity_id)}/{path_segment(property_set)}"
        response = self.get(url, params)
        body = json_body(response)
        return (body if isinstance(body, list) else []), response.links.get("next", {}).get("url")

    def latest_record(self, entity_id: str, property_set: str) -> dict | None:
        """The property set's latest record (the API's answer to a call without a range), or None if it has none."""
        body = self.get_json(f"{TIME_SERIES}/{path_segment(entity_id)}/{path_segment(property_set)}")
        records = [record for record in body if isinstance(record, dict)] if isinstance(body, list) else []
        return records[-1] if records else None

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


def parse_time(value: str) -> datetime:
    """A `_time` of the IoT Time Series API ("2017-11-02T00:00:00.001Z") as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def format_time(moment: datetime) -> str:
    """`moment` as the time series APIs take it: UTC with milliseconds, "2017-11-02T00:00:00.001Z"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
