"""IoT Time Series Aggregates v4 through the gateway: an aspect's values per interval."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .gateway import Gateway
from .timeseries import format_time

AGGREGATES_MAX_INTERVALS = 200  # intervals per IoT Time Series Aggregates call: the API's limit


class Aggregates(Gateway):
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
            "from": format_time(start),
            "to": format_time(end),
            "intervalUnit": interval_unit,
            "intervalValue": interval_value,
        }
        if select:
            params["select"] = ",".join(select)
        body = self.get_json("api/iottsaggregates/v4/aggregates", params)
        return body.get("aggregates", []) if isinstance(body, dict) else []
