"""Menus as data: each item has a label, an icon, a URL name and the roles that see it.

The same roles guard the page behind the item (`menu_page`), so a menu and its pages can't drift.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .access import role_names, role_required
from .homes import ROLE_HOMES


@dataclass(frozen=True)
class MenuItem:
    label: str
    icon: str  # a symbol id in navigation/icons.html
    url_name: str
    roles: frozenset[str]
    # The item is also current on other pages of its section, e.g. "assets:" for an asset's page.
    section: str = ""


MENU: list[MenuItem] = [
    # One item per role home page (navigation/homes.py), for its role.
    *[MenuItem(home.title, home.icon, home.url_name, frozenset({home.role})) for home in ROLE_HOMES],
    MenuItem(_("Assets"), "grid", "assets:list", frozenset({"Admin", "User"}), section="assets:"),
    # A tenant admin's mapping of their own tenant (tenantadmin app).
    MenuItem(_("Roles"), "people", "tenantadmin:roles", frozenset({"Admin"}), section="tenantadmin:"),
    # Everyone with a role home has an account page.
    MenuItem(_("Account"), "person", "navigation:account", frozenset(home.role for home in ROLE_HOMES)),
]


def items_for(user) -> list[MenuItem]:
    """The items whose roles the user has, in menu order."""
    roles = role_names(user)
    return [item for item in MENU if item.roles & roles]


def item_for(url_name: str) -> MenuItem:
    for item in MENU:
        if item.url_name == url_name:
            return item
    raise LookupError(f"no menu item for {url_name!r}")


def menu_page(url_name: str) -> Callable:
    """Guard a view with the roles of its menu item (403 for everyone else)."""
    return role_required(*item_for(url_name).roles)


def active_url_name(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else None
