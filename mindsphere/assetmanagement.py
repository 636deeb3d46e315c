"""Asset Management v3 through the gateway: assets, one asset, and an asset's aspects.

Its lists come in pages of at most 200 (`page`, `size`; the answer's `_embedded` and `page`
blocks), read by one pager here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from .gateway import Gateway, path_segment

ASSETS_MAX_PAGE_SIZE = 200  # assets (and aspects) per Asset Management page: the API's largest
ASSETS = "api/assetmanagement/v3/assets"


class AssetManagement(Gateway):
    def assets_page(self, *, page: int = 0, size: int = 10, name_contains: str = "", sort: str = "name,asc") -> dict:
        """One page of `GET /assets`; `size` is at most ASSETS_MAX_PAGE_SIZE (the API refuses more)."""
        if not 1 <= size <= ASSETS_MAX_PAGE_SIZE:
            raise ValueError(f"Asset Management pages hold 1 to {ASSETS_MAX_PAGE_SIZE} assets, not {size}")
        params: dict[str, Any] = {"page": page, "size": size, "sort": sort}
        if name_contains:
            params["filter"] = json.dumps({"name": {"contains": name_contains}}, separators=(",", ":"))
        return self.get_json(ASSETS, params)

    def first_assets(self, count: int, *, name_contains: str = "") -> tuple[list[dict], int]:
        """The first `count` assets by name and how many match in all, in pages of at most 200."""
        if count < 1:
            return [], 0
        size = min(count, ASSETS_MAX_PAGE_SIZE)

        def fetch(number: int) -> dict:
            return self.assets_page(page=number, size=size, name_contains=name_contains)

        found: list[dict] = []
        total = 0
        for rows, page in pages(fetch, "assets", size):
            found += rows
            total = page.get("totalElements", len(found))
            if len(found) >= count:
                break
        return found[:count], total

    def aspects(self, asset_id: str) -> list[dict]:
        """Every aspect of the asset with its definition (`GET /assets/{id}/aspects`, all pages).

        Each is an AspectResource: `name`, `category` ("dynamic" for time series, "static"),
        `aspectTypeId`, `variables` with `name`, `dataType`, `unit`, `qualityCode`, …
        """
        path = f"{ASSETS}/{path_segment(asset_id)}/aspects"

        def fetch(number: int) -> dict:
            return self.get_json(path, {"page": number, "size": ASSETS_MAX_PAGE_SIZE})

        return [aspect for rows, _page in pages(fetch, "aspects", ASSETS_MAX_PAGE_SIZE) for aspect in rows]

    def asset(self, asset_id: str) -> dict:
        return self.get_json(f"{ASSETS}/{path_segment(asset_id)}")


def pages(fetch: Callable[[int], Any], name: str, size: int) -> Iterator[tuple[list[dict], dict]]:
    """The pages of an Asset Management list, from page 0: each page's items (`_embedded.<name>`) and its `page` block.

    `fetch(number)` answers one page of `size` items. A short page or the last of `totalPages` ends it.
    """
    number = 0
    while True:
        body = fetch(number)
        body = body if isinstance(body, dict) else {}
        rows = body.get("_embedded", {}).get(name, [])
        page = body.get("page", {})
        yield rows, page
        if len(rows) < size or number + 1 >= page.get("totalPages", 0):
            return
        number += 1
