"""The block gallery (`/blocks/`): each block rendered from the very line a developer pastes.

The asset blocks need an asset: the gallery takes the first of the person's tenant (and its first
time-series aspect and variable), so every block shows live data; without one, the placeholder's
"not found" notice shows how a block says so.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template import engines
from django.utils.safestring import SafeString

from assets.aspects import chart_variables
from mindsphere.exceptions import MindSphereError
from sso.exceptions import SignedOutError
from sso.session import ensure_fresh
from sso.tokens import api_client

from .catalogue import BLOCKS, example_line
from .rendering import may_see

PLACEHOLDER_ASSET = "ASSET-ID"


def examples(request: HttpRequest) -> dict[str, str]:
    """Argument values for the gallery's lines: the person's first asset, its first aspect and variable."""
    values = {"asset": PLACEHOLDER_ASSET}
    try:
        client = api_client(ensure_fresh(request))
        assets = client.assets_page(page=0, size=1).get("_embedded", {}).get("assets", [])
        if assets:
            values["asset"] = assets[0]["assetId"]
            variables = chart_variables(client.aspects(values["asset"]))
            if variables:
                values["aspect"], values["variable"] = variables[0].property_set, variables[0].key
    except (MindSphereError, SignedOutError, KeyError, TypeError):
        pass  # the placeholder: its blocks show their "not found" notice
    return values


def render_line(request: HttpRequest, line: str) -> SafeString:
    source = "{% load blocks %}" + line
    return SafeString(engines["django"].from_string(source).render({}, request))


def context(request: HttpRequest) -> dict:
    values = examples(request)
    entries = []
    for block in BLOCKS.values():
        line = example_line(block, values)
        entries.append(
            {
                "block": block,
                "line": line,
                "html": render_line(request, line),
                "seen": may_see(request, block),
                "roles": sorted(block.roles()) if block.roles else [],
            }
        )
    return {"entries": entries}
