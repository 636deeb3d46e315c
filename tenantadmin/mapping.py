"""Reading and changing one tenant's mapping, with its history, applied to the tenant's people at once."""
from __future__ import annotations

from django.db import transaction

from sso import roles
from sso.models import MappingChange, ScopeRoleMapping


def current(tenant: str) -> dict[str, str]:
    """scope -> role as it counts for the tenant now (its own mapping, or the app-wide defaults)."""
    return {row.scope: row.group.name for row in roles.mapping_of(tenant)}


def version(tenant: str) -> int:
    """Changes with every save or reset of the tenant's mapping (a stale form carries an older one)."""
    latest = MappingChange.objects.filter(tenant=tenant).order_by("-pk").values_list("pk", flat=True).first()
    return latest or 0


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [
        f"{scope}: {before.get(scope) or 'no role'} → {after.get(scope) or 'no role'}"
        for scope in sorted(before.keys() | after.keys())
        if before.get(scope) != after.get(scope)
    ]


@transaction.atomic
def save(tenant: str, mapping: dict[str, str], *, by: str) -> list[str]:
    """Make `mapping` the tenant's own; the changes made (none: nothing was written)."""
    from django.contrib.auth.models import Group

    before = current(tenant)
    changes = differences(before, mapping)
    if roles.has_own_mapping(tenant) and not changes:
        return []
    ScopeRoleMapping.objects.filter(tenant=tenant).delete()
    groups = {group.name: group for group in Group.objects.filter(name__in=mapping.values())}
    ScopeRoleMapping.objects.bulk_create(
        ScopeRoleMapping(tenant=tenant, scope=scope, group=groups[role]) for scope, role in mapping.items()
    )
    changes = changes or ["saved the app's defaults as this tenant's own mapping"]
    MappingChange.objects.create(tenant=tenant, changed_by=by, changes=changes)
    roles.resync_tenant(tenant)
    return changes


@transaction.atomic
def reset(tenant: str, *, by: str) -> list[str]:
    """Drop the tenant's own mapping: the app-wide defaults count again."""
    if not roles.has_own_mapping(tenant):
        return []
    before = current(tenant)
    ScopeRoleMapping.objects.filter(tenant=tenant).delete()
    changes = ["reset to the app's defaults", *differences(before, current(tenant))]
    MappingChange.objects.create(tenant=tenant, changed_by=by, changes=changes)
    roles.resync_tenant(tenant)
    return changes
