"""From MindSphere scopes to Django groups (the app's roles), per tenant; who the operators are; and
the app's one check of a person's roles (`has_role`).

A person's roles come from their own tenant's mapping when that tenant has saved one, else from
the app-wide defaults (rows without a tenant). Operators (Django admin) are superusers, and the
people whose token carries the app's `admin` scope in one of MINDSPHERE_OPERATOR_TENANTS.
People of a subtenant (their token's `subtenant` claim) never administer: they never get the
tenant's admin role nor operator status, whatever their scopes (docs/tenancy.md, "Subtenants").
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import QuerySet

from .app_settings import app_settings
from .models import MindSphereIdentity, ScopeRoleMapping

OPERATORS = "Operators"
# The role that administers a tenant (/manage/roles/, the Admin home): the role the app scope `admin`
# grants by default (navigation/homes.py). Never given to a subtenant's people.
TENANT_ADMIN_ROLE = "Admin"
OPERATOR_PERMISSIONS = [
    "view_scoperolemapping",
    "add_scoperolemapping",
    "change_scoperolemapping",
    "delete_scoperolemapping",
    "view_mappingchange",
    "view_mindsphereidentity",
    "view_tokenrecord",
]


def app_scope_names(scopes: Iterable[object], app_name: str | None = None) -> set[str]:
    """The bare scope names of this app: `{app}.admin` and `mdsp:{any}:{app}.admin` give 'admin'."""
    app = (app_name or app_settings.MINDSPHERE_APP_NAME).lower()
    if isinstance(scopes, str):  # a space-separated scope claim (RFC 9068), not its characters
        scopes = scopes.split()
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


def has_own_mapping(tenant: str) -> bool:
    return bool(tenant) and ScopeRoleMapping.objects.filter(tenant=tenant).exists()


def mapping_of(tenant: str) -> QuerySet[ScopeRoleMapping]:
    """The rows that count for `tenant`: its own when it saved some, else the app-wide defaults."""
    rows = ScopeRoleMapping.objects.select_related("group")
    return rows.filter(tenant=tenant if has_own_mapping(tenant) else "")


def effective_mapping(tenant: str) -> tuple[list[ScopeRoleMapping], bool]:
    """`mapping_of(tenant)` as a list in one query, and whether the rows are the tenant's own."""
    rows = list(ScopeRoleMapping.objects.select_related("group").filter(tenant__in={tenant, ""}).order_by("scope"))
    own = [row for row in rows if tenant and row.tenant == tenant]
    return (own, True) if own else ([row for row in rows if not row.tenant], False)


def groups_for_scopes(scopes: Iterable[object], tenant: str = "", subtenant: str = "") -> set[Group]:
    """The roles the scopes give in the tenant; for a subtenant's person, never the tenant's admin role."""
    names = app_scope_names(scopes)
    groups = {mapping.group for mapping in mapping_of(tenant) if mapping.scope in names}
    return {group for group in groups if group.name != TENANT_ADMIN_ROLE} if subtenant else groups


def is_operator(tenant: str, scopes: Iterable[object], subtenant: str = "") -> bool:
    """Whether a MindSphere person is one of the app's operators: an admin of an operator tenant, not of a subtenant."""
    operator_tenants = {name.lower() for name in app_settings.MINDSPHERE_OPERATOR_TENANTS}
    return not subtenant and tenant.lower() in operator_tenants and "admin" in app_scope_names(scopes)


def operators_group() -> Group:
    """The group that carries what operators may do in the Django admin."""
    group, created = Group.objects.get_or_create(name=OPERATORS)
    if created or not group.permissions.exists():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="sso", codename__in=OPERATOR_PERMISSIONS)
        )
    return group


@transaction.atomic
def sync_roles(user, scopes: Iterable[object], tenant: str, subtenant: str = "") -> set[Group]:
    """Set the user's groups to exactly what the scopes give in their tenant: roles come from MindSphere.

    Operator status (staff and the Operators group) follows MINDSPHERE_OPERATOR_TENANTS; a tenant's
    mapping never makes anyone staff. `subtenant` (the token's claim): a subtenant's person gets
    neither the tenant's admin role nor operator status. Superusers are left as they are.
    """
    scopes = scopes.split() if isinstance(scopes, str) else list(scopes)
    granted = groups_for_scopes(scopes, tenant, subtenant)
    if user.is_superuser:
        return granted
    operator = is_operator(tenant, scopes, subtenant)
    user.groups.set([*granted, operators_group()] if operator else granted)
    _forget_role_names(user)
    if user.is_staff != operator:
        user.is_staff = operator
        user.save(update_fields=["is_staff"])
    return granted


def resync_tenant(tenant: str) -> int:
    """Apply the tenant's current mapping to everyone of the tenant who has signed in; how many."""
    identities = MindSphereIdentity.objects.filter(tenant=tenant).select_related("user")
    for identity in identities:
        sync_roles(identity.user, identity.scopes, tenant, identity.subtenant)
    return len(identities)


def resync_default_tenants() -> int:
    """After a change of the app-wide defaults: everyone whose tenant has no mapping of its own."""
    own = ScopeRoleMapping.objects.exclude(tenant="").values_list("tenant", flat=True)
    tenants = MindSphereIdentity.objects.exclude(tenant__in=own).values_list("tenant", flat=True).distinct()
    return sum(resync_tenant(tenant) for tenant in tenants)


# A person's role names are kept on their user object, which lives for one request: the role check,
# the menu and the page each ask, and the groups change only in sync_roles, which drops the copy.
ROLE_NAMES_ATTRIBUTE = "_role_names"


def role_names(user) -> frozenset[str]:
    """The names of the user's roles (their Django groups); none for anonymous people. One query a request."""
    if not user.is_authenticated:
        return frozenset()
    names = getattr(user, ROLE_NAMES_ATTRIBUTE, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, ROLE_NAMES_ATTRIBUTE, names)
    return names


def _forget_role_names(user) -> None:
    if hasattr(user, ROLE_NAMES_ATTRIBUTE):
        delattr(user, ROLE_NAMES_ATTRIBUTE)


def has_role(user, roles: Iterable[str]) -> bool:
    """Whether the user has one of `roles`: the app's one role check (pages, menus, sign-in)."""
    return not role_names(user).isdisjoint(roles)


def app_role_names() -> frozenset[str]:
    """The roles a scope grants in some tenant (or by default): groups such as Operators are not app roles."""
    return frozenset(Group.objects.filter(scope_mappings__isnull=False).values_list("name", flat=True))
