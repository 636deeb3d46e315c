"""A block as a page renders it: nothing for a person without its roles, else its template.

A block that calls MindSphere renders its shell (heading, a loading region, a way on without
JavaScript) and htmx loads the region from `/blocks/<name>/` (blocks/views.py); each block's region
is its own request, so two blocks load in parallel and fail each on its own. Other blocks render
their data at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html_join

from sso.roles import has_role

from .catalogue import BLOCKS, Block

# On the request: how many blocks its page has rendered (their ids), and the stylesheets linked.
COUNT_ATTRIBUTE = "_blocks_rendered"
STYLES_ATTRIBUTE = "_blocks_stylesheets"


def may_see(request: HttpRequest, block: Block) -> bool:
    """Whether the signed-in person has one of the block's roles (every signed-in person, for a block without)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return block.roles is None or has_role(user, block.roles())


def render_block(context: template.Context, name: str, given: Mapping[str, object]) -> str:
    request = context.get("request")
    block = BLOCKS[name]
    if request is None or not may_see(request, block):
        return ""
    block_id = _next_id(request, block)
    values: dict[str, Any] = {"block": block, "block_id": block_id, "user": request.user, "request": request}
    try:
        cleaned = block.clean(given)
    except ValidationError as error:  # a value known only now (a variable): said in the block's place, not a 500
        values["problem"] = error.messages[0]
        return _render(context, "blocks/_unusable.html", values)
    if block.loads:
        values.update(cleaned)
        values["load_url"] = f"{reverse('blocks:region', args=[block.name])}?{block.query(cleaned)}".rstrip("?")
        values["region_id"] = f"{block_id}-data"
    else:
        data = block.data(request, **cleaned)
        if data is None:
            return ""
        values.update(data)
    return _stylesheets(request, block) + _render(context, block.template, values)


def _render(context: template.Context, name: str, values: dict[str, Any]) -> str:
    values.setdefault("csrf_token", context.get("csrf_token"))
    engine = context.template.engine if context.template is not None else template.Engine.get_default()
    return engine.get_template(name).render(context.new(values))


def _next_id(request: HttpRequest, block: Block) -> str:
    number = getattr(request, COUNT_ATTRIBUTE, 0) + 1
    setattr(request, COUNT_ATTRIBUTE, number)
    return f"block-{block.name.replace('_', '-')}-{number}"


def _stylesheets(request: HttpRequest, block: Block) -> str:
    # A <link rel="stylesheet"> may stand in the body (HTML's "body-ok"); each once per page.
    linked: set[str] = getattr(request, STYLES_ATTRIBUTE, set())
    new = [name for name in block.stylesheets if name not in linked]
    setattr(request, STYLES_ATTRIBUTE, linked | set(new))
    return format_html_join("", '<link rel="stylesheet" href="{}">\n', ((static(name),) for name in new))
