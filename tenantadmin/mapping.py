"""Reading and changing one tenant's mapping, with its history, applied to the tenant's people at once."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from sso import roles
from sso.models import MappingChange, ScopeRoleMapping
from sso.texts import mapping_change


def current(tenant: str) -> dict[str, str]:
    """scope -> role as it counts for the tenant now (its own mapping, or the app-wide defaults)."""
    return {row.scope: row.group.name for row in roles.mapping_of(tenant)}


class StaleMapping(Exception):
    """Someone saved or reset the tenant's mapping after the form being saved was shown."""


def version(tenant: str) -> int:
    """Changes with every save or reset of the tenant's mapping (a stale form carries an older one)."""
    return MappingChange.latest_number(tenant)


def _record(tenant: str, by: str, changes: list[dict], *, expected: int) -> None:
    # Checked again inside the transaction, and the unique version number catches two saves that
    # both pass this check at the same instant (PostgreSQL runs them side by side): the later fails.
    if version(tenant) != expected:
        raise StaleMapping(tenant)
    try:
        with transaction.atomic():
            MappingChange.record(tenant, by, changes, after=expected)
    except IntegrityError:
        raise StaleMapping(tenant) from None


def differences(before: dict[str, str], after: dict[str, str]) -> list[dict]:
    """One history entry per scope whose role differs ("" for no role)."""
    return [
        mapping_change("role", scope=scope, before=before.get(scope) or "", after=after.get(scope) or "")
        for scope in sorted(before.keys() | after.keys())
        if before.get(scope) != after.get(scope)
    ]


@transaction.atomic
def save(tenant: str, mapping: dict[str, str], *, by: str, expected: int) -> list[dict]:
    """Make `mapping` the tenant's own; the history entries of the changes made (none: nothing was written).

    `expected` is the version the form was shown with: StaleMapping, and nothing changed, when the
    mapping has moved on since.
    """
    before = current(tenant)
    changes = differences(before, mapping)
    if roles.has_own_mapping(tenant) and not changes:
        return []
    ScopeRoleMapping.objects.filter(tenant=tenant).delete()
    groups = {group.name: group for group in Group.objects.filter(name__in=mapping.values())}
    ScopeRoleMapping.objects.bulk_create(
        ScopeRoleMapping(tenant=tenant, scope=scope, group=groups[role]) for scope, role in mapping.items()
    )
    changes = changes or [mapping_change("own_defaults")]
    _record(tenant, by, changes, expected=expected)
    roles.resync_tenant(tenant)
    return changes


@transaction.atomic
def reset(tenant: str, *, by: str, expected: int) -> list[dict]:
    """Drop the tenant's own mapping: the app-wide defaults count again (StaleMapping as for save)."""
    if not roles.has_own_mapping(tenant):
        return []
    before = current(tenant)
    ScopeRoleMapping.objects.filter(tenant=tenant).delete()
    changes = [mapping_change("reset"), *differences(before, current(tenant))]
    _record(tenant, by, changes, expected=expected)
    roles.resync_tenant(tenant)
    return changes
