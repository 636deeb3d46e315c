"""Menus as data: each item has a label, an icon and a URL name; no roles.

An item is shown to the people its page lets in: the roles that page declares with `role_required`
where its view is (navigation/access.py), so a menu and its pages can't drift. Of the role homes,
a person sees one: their home, the one `/` sends them to (docs/role-home-pages.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import homes
from .access import may_open

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class MenuItem:
    label: StrOrPromise
    icon: str  # a symbol id in navigation/icons.html
    url_name: str
    # The item is also current on other pages of its section: view names, or a namespace ("tenantadmin:").
    section: tuple[str, ...] = ()

    def is_current(self, view_name: str) -> bool:
        """Whether the page of `view_name` is this item's (its own page, or one of its section)."""
        return view_name == self.url_name or any(
            view_name.startswith(part) if part.endswith(":") else view_name == part for part in self.section
        )


# The items after the role homes, in menu order.
PAGES: list[MenuItem] = [
    MenuItem(_("Assets"), "grid", "assets:list", section=("assets:detail", "assets:export_start")),
    # A person's CSV exports: the list, and each export's own pages.
    MenuItem(
        _("Exports"),
        "download",
        "assets:exports",
        section=("assets:export", "assets:export_download", "assets:export_retry", "assets:export_delete"),
    ),
    # A tenant admin's mapping of their own tenant (tenantadmin app).
    MenuItem(_("Roles"), "people", "tenantadmin:roles", section=("tenantadmin:",)),
    MenuItem(
        _("Account"),
        "person",
        "navigation:account",
        section=("navigation:account_language", "navigation:account_sign_out_everywhere"),
    ),
]


def menu() -> list[MenuItem]:
    """Every item in order: one per role home page (navigation/homes.py, read now), then PAGES."""
    return [*(MenuItem(home.title, home.icon, home.url_name) for home in homes.ROLE_HOMES), *PAGES]


def items_for(user) -> list[MenuItem]:
    """The items whose pages the user may open, in menu order, with one role home: the first they may open.

    Someone with no role home gets no items: their one page is the no-role page, with Account linked.
    """
    home_names = {home.url_name for home in homes.ROLE_HOMES}
    items = [item for item in menu() if may_open(user, item.url_name)]
    home = next((item for item in items if item.url_name in home_names), None)
    if home is None:
        return []
    return [home, *(item for item in items if item.url_name not in home_names)]


def active_url_name(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else None
