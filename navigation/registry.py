"""The role home pages, in order: `/` sends a person to the first one their roles allow.

Developers add a role with `manage.py startrolehome` (an entry in `role_homes.json`, served by the
generic `role_home` view) or here by hand; each entry names the Django group (the role), the URL
name of its home page and the template, which must carry the lifecycle include (navigation.E001).
See docs/role-home-pages.md.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DATA_FILE = Path(__file__).resolve().with_name("role_homes.json")
SLUG = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")


@dataclass(frozen=True)
class RoleHome:
    role: str
    url_name: str
    template: str
    title: str
    icon: str = "home"  # the menu icon, a symbol id in templates/navigation/icons.html
    slug: str = ""  # set for the homes in role_homes.json, which the generic view serves

    @property
    def path(self) -> str:
        """The URL path of a generic home page (`home/<slug>/`, underscores as hyphens)."""
        return f"home/{self.slug.replace('_', '-')}/"


def read_entries(path: Path = DATA_FILE) -> list:
    """The raw entries of the role-homes file; [] if it is missing, ImproperlyConfigured if unreadable."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"{path} is not a readable JSON list of role homes: {exc}") from exc
    if not isinstance(entries, list):
        raise ImproperlyConfigured(f"{path} must hold a JSON list of role homes.")
    return entries


def load_role_homes(path: Path = DATA_FILE) -> list[RoleHome]:
    """The role homes added with `startrolehome`, in file order; none if the file is missing."""
    entries = read_entries(path)
    homes = []
    for entry in entries:
        try:
            slug, role = entry["slug"], entry["role"]
        except (KeyError, TypeError) as exc:
            raise ImproperlyConfigured(f"{path}: every role home needs 'role' and 'slug': {entry!r}") from exc
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):
            raise ImproperlyConfigured(f"{path}: slug {slug!r} must be lowercase letters and digits joined by '_'.")
        homes.append(
            RoleHome(
                role=role,
                url_name=f"navigation:{slug}_home",
                template=entry.get("template", f"navigation/{slug}_home.html"),
                title=entry.get("title", role),
                icon=entry.get("icon", "home"),
                slug=slug,
            )
        )
    return homes


ROLE_HOMES: list[RoleHome] = [
    RoleHome(
        role="Admin", url_name="navigation:admin_home", template="navigation/admin_home.html", title="Admin", icon="shield"
    ),
    RoleHome(role="User", url_name="navigation:user_home", template="navigation/user_home.html", title="Home"),
    *load_role_homes(),
]


def role_home_for(role_names: set[str]) -> RoleHome | None:
    return next((home for home in ROLE_HOMES if home.role in role_names), None)


def role_home_by_url_name(url_name: str) -> RoleHome:
    return next(home for home in ROLE_HOMES if home.url_name == url_name)


def role_home_by_slug(slug: str) -> RoleHome | None:
    """A generic role home (one from role_homes.json) by its slug."""
    return next((home for home in ROLE_HOMES if home.slug and home.slug == slug), None)
