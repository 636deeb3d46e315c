"""From MindSphere scopes to Django groups (the app's roles)."""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from .app_settings import app_settings
from .models import ScopeRoleMapping


def app_scope_names(scopes: Iterable[object], app_name: str | None = None) -> set[str]:
    """The bare scope names of this app: `{app}.admin` and `mdsp:{any}:{app}.admin` give 'admin'."""
    app = (app_name or app_settings.MINDSPHERE_APP_NAME).lower()
    names = set()
    for scope in scopes:
        if not isinstance(scope, str):
            continue
        qualified = scope.lower()
        if qualified.startswith("mdsp:"):
            qualified = qualified.rsplit(":", 1)[-1]
        prefix, dot, name = qualified.partition(".")
        if dot and prefix == app and name:
            names.add(name)
    return names


def groups_for_scopes(scopes: Iterable[object]) -> set[Group]:
    names = app_scope_names(scopes)
    return {mapping.group for mapping in ScopeRoleMapping.objects.select_related("group") if mapping.scope in names}


@transaction.atomic
def sync_roles(user, scopes: Iterable[object]) -> set[Group]:
    """Set the user's mapped groups to exactly what the scopes give; unmapped groups stay as they are.

    Staff access follows: a person is staff while one of their groups carries permissions
    (the Admin group may edit the mapping), and is never made a superuser.
    """
    granted = groups_for_scopes(scopes)
    mapped = Group.objects.filter(scope_mappings__isnull=False).distinct()
    user.groups.remove(*[group for group in mapped if group not in granted])
    user.groups.add(*granted)
    is_staff = user.groups.filter(permissions__isnull=False).exists()
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    return granted


def has_role(user) -> bool:
    """Whether any mapped group is among the user's groups (the no-role page otherwise)."""
    return user.groups.filter(scope_mappings__isnull=False).exists()
