"""The Django groups and scope mappings of the declared roles, created at `migrate`."""

from __future__ import annotations

from django.contrib.auth.models import Group

from sso.models import ScopeRoleMapping

from . import homes


def create_role_groups(using: str = "default", **kwargs) -> list[str]:
    """Create the group of every declared role that has none; the names of the roles created.

    A new role also gets its default scope mapping, unless that scope is mapped already. Existing
    groups and mappings are left as they are: operators may have changed them since.
    """
    created = []
    for home in homes.ROLE_HOMES:
        group, new = Group.objects.using(using).get_or_create(name=home.role)
        if new:
            ScopeRoleMapping.objects.using(using).get_or_create(tenant="", scope=home.scope, defaults={"group": group})
            created.append(home.role)
    return created
