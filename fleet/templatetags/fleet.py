"""`{% load fleet %}{% fleet_overview %}`: the person's tenant's fleet overview, wherever a page puts it.

One tag with its own template (fleet/_overview.html), so a page needs nothing in its view: the
role homes carry it as the block `{% block_fleet_overview %}` (blocks/catalogue.py).
"""

from __future__ import annotations

from django import template

from fleet.display import overview_context

register = template.Library()


@register.inclusion_tag("fleet/_overview.html", takes_context=True)
def fleet_overview(context: template.Context) -> dict:
    """The overview of the signed-in person's own tenant (one query, no MindSphere call); nothing for anyone else."""
    request = context.get("request")
    if request is None:
        return {"shown": False}
    return {**overview_context(request), "csrf_token": context.get("csrf_token")}
