"""The role home pages, in order: `/` sends a person to the first one their roles allow.

Developers add a role here (or with `manage.py startrolehome`); each entry names the Django group
(the role), the URL name of its home page and the template, which must carry the lifecycle include.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleHome:
    role: str
    url_name: str
    template: str
    title: str


ROLE_HOMES: list[RoleHome] = [
    RoleHome(role="Admin", url_name="navigation:admin_home", template="navigation/admin_home.html", title="Admin"),
    RoleHome(role="User", url_name="navigation:user_home", template="navigation/user_home.html", title="Home"),
]


def role_home_for(role_names: set[str]) -> RoleHome | None:
    return next((home for home in ROLE_HOMES if home.role in role_names), None)


def role_home_by_url_name(url_name: str) -> RoleHome:
    return next(home for home in ROLE_HOMES if home.url_name == url_name)
