"""Template filters about pages: whether a person may open one, so a page links only what they can use."""

from __future__ import annotations

from django import template

from navigation.access import may_open as _may_open

register = template.Library()


@register.filter
def may_open(user, url_name: str) -> bool:
    """`{% if request.user|may_open:"assets:list" %}`: whether the user has a role that page lets in."""
    return _may_open(user, url_name)
