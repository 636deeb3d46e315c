"""The role home pages, declared here and nowhere else.

Each entry is a role (a Django group, the Mendix user role) with the MindSphere app scope that
grants it by default, its menu label and icon. From an entry follow its URL (`/home/<slug>/`, URL
name `navigation:<slug>_home`, a page for that role only), its menu item, its template
(`navigation/homes/<slug>.html`, which extends base_signed_in.html, checked by navigation.E001),
and at `migrate` its group and scope mapping. `/` sends a person to the first home their roles
allow. `manage.py startrolehome` adds an entry and a template; see docs/role-home-pages.md.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class RoleHome:
    role: str  # the Django group
    scope: str  # the app scope that grants the role when the role is first created: 'admin' for '{app}.admin'
    title: StrOrPromise  # the menu label and page title
    icon: str = "home"  # a symbol id in navigation/icons.html
    context: str = ""  # dotted path of a function(request) -> dict with data only this page shows

    @property
    def slug(self) -> str:
        """'Field Service' -> 'field_service'."""
        return "_".join(self.role.lower().split())

    @property
    def url_name(self) -> str:
        return f"navigation:{self.slug}_home"

    @property
    def path(self) -> str:
        return f"home/{self.slug.replace('_', '-')}/"

    @property
    def template(self) -> str:
        return f"navigation/homes/{self.slug}.html"


ROLE_HOMES: list[RoleHome] = [
    RoleHome("Admin", scope="admin", title=_("Admin"), icon="shield"),
    RoleHome("User", scope="user", title=_("Home")),
    # `manage.py startrolehome` adds new roles above this line.
]


def role_home_for(role_names: Set[str]) -> RoleHome | None:
    """The first home page that one of `role_names` may see."""
    return next((home for home in ROLE_HOMES if home.role in role_names), None)


def home_roles() -> frozenset[str]:
    """Every role that has a home page (the roles of the asset pages by default)."""
    return frozenset(home.role for home in ROLE_HOMES)
