"""From MindSphere scopes to Django groups: the mapping, the default roles, and syncing a user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from sso.models import MindSphereIdentity, ScopeRoleMapping
from sso.roles import (
    OPERATOR_PERMISSIONS,
    OPERATORS,
    app_role_names,
    app_scope_names,
    groups_for_scopes,
    has_own_mapping,
    has_role,
    resync_tenant,
    role_names,
    sync_roles,
)

ADMIN_SCOPES = ["mobilestarter.admin", "mobilestarter.user"]
USER_SCOPES = ["mobilestarter.user"]


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("mobilestarter.admin", {"admin"}),
        ("MobileStarter.Admin", {"admin"}),
        ("mdsp:core:mobilestarter.user", {"user"}),
        ("mdsp:acme:mobilestarter.admin", {"admin"}),
        ("otherapp.admin", set()),
        ("mdsp:core:TenantAdmin", set()),
        ("mobilestarter", set()),
        ("mobilestarter.", set()),
        ("xmobilestarter.admin", set()),
        ("mobilestarter-x.admin", set()),
        ("mdsp:core:otherapp.admin", set()),
        ("", set()),
        (123, set()),
        (None, set()),
        (["mobilestarter.admin"], set()),
    ],
)
def test_app_scope_names(scope, expected):
    assert app_scope_names([scope]) == expected


def test_app_scope_names_of_many_scopes():
    scopes = ["mobilestarter.admin", "mdsp:core:TenantAdmin", "mdsp:acme:mobilestarter.user", None]
    assert app_scope_names(scopes) == {"admin", "user"}


def test_app_name_comes_from_settings(settings):
    settings.MINDSPHERE_APP_NAME = "fleetview"
    assert app_scope_names(["fleetview.admin", "mobilestarter.user", "mdsp:acme:FleetView.user"]) == {"admin", "user"}
    assert app_scope_names(["mobilestarter.admin"]) == set()


def test_app_name_argument_overrides_settings():
    assert app_scope_names(["fleetview.admin", "mobilestarter.user"], app_name="FleetView") == {"admin"}


def test_migrations_made_the_default_roles_and_the_operators(db):
    mappings = {(mapping.tenant, mapping.scope): mapping.group.name for mapping in ScopeRoleMapping.objects.all()}
    assert mappings == {("", "admin"): "Admin", ("", "user"): "User"}
    assert not Group.objects.get(name="Admin").permissions.exists()  # tenant admins are never staff
    assert not Group.objects.get(name="User").permissions.exists()
    operators = set(Group.objects.get(name=OPERATORS).permissions.values_list("codename", flat=True))
    assert operators == set(OPERATOR_PERMISSIONS)


def test_groups_for_scopes(db):
    assert {group.name for group in groups_for_scopes(ADMIN_SCOPES, "acme")} == {"Admin", "User"}
    assert {group.name for group in groups_for_scopes(["mdsp:core:TenantAdmin"], "acme")} == set()


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user(username="person@acme.example", email="person@acme.example")


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_sync_roles_adds_mapped_groups_and_never_makes_staff(db, person):
    granted = sync_roles(person, ADMIN_SCOPES, "acme")
    person.refresh_from_db()
    assert {group.name for group in granted} == {"Admin", "User"}
    assert group_names(person) == {"Admin", "User"}
    assert not person.is_staff and not person.is_superuser


def test_sync_roles_removes_every_group_no_longer_granted(db, person):
    person.groups.add(Group.objects.create(name="Auditors"))  # e.g. given by hand: roles come from MindSphere only
    sync_roles(person, ADMIN_SCOPES, "acme")
    sync_roles(person, USER_SCOPES, "acme")
    assert group_names(person) == {"User"}
    sync_roles(person, [], "acme")
    assert group_names(person) == set()


def test_a_tenant_mapping_counts_for_that_tenant_only(db, person, django_user_model):
    admin = Group.objects.get(name="Admin")
    ScopeRoleMapping.objects.create(tenant="globex", scope="user", group=admin)
    ScopeRoleMapping.objects.create(tenant="globex", scope="admin", group=admin)
    other = django_user_model.objects.create_user(username="user@globex.example")
    assert {group.name for group in sync_roles(other, USER_SCOPES, "globex")} == {"Admin"}
    assert {group.name for group in sync_roles(person, USER_SCOPES, "acme")} == {"User"}  # defaults for acme
    assert has_own_mapping("globex") and not has_own_mapping("acme") and not has_own_mapping("")


@pytest.mark.parametrize(
    ("operator_tenants", "tenant", "scopes", "operator"),
    [
        (["acme"], "acme", ADMIN_SCOPES, True),
        (["ACME"], "acme", ["mdsp:acme:mobilestarter.admin"], True),
        (["acme"], "acme", USER_SCOPES, False),
        (["acme"], "globex", ADMIN_SCOPES, False),
        ([], "acme", ADMIN_SCOPES, False),
    ],
)
def test_operators_are_admins_of_the_operator_tenants(db, person, settings, operator_tenants, tenant, scopes, operator):
    settings.MINDSPHERE_OPERATOR_TENANTS = operator_tenants
    sync_roles(person, scopes, tenant)
    person.refresh_from_db()
    assert person.is_staff is operator
    assert (OPERATORS in group_names(person)) is operator
    assert not person.is_superuser


def test_a_tenant_mapping_never_makes_an_operator(db, person, settings):
    settings.MINDSPHERE_OPERATOR_TENANTS = ["acme"]
    ScopeRoleMapping.objects.create(tenant="acme", scope="user", group=Group.objects.get(name="Admin"))
    sync_roles(person, USER_SCOPES, "acme")  # the Admin role, through acme's mapping, but no admin scope
    person.refresh_from_db()
    assert "Admin" in group_names(person) and not person.is_staff


def test_operator_status_is_revoked_with_the_scope(db, person, settings):
    settings.MINDSPHERE_OPERATOR_TENANTS = ["acme"]
    sync_roles(person, ADMIN_SCOPES, "acme")
    sync_roles(person, USER_SCOPES, "acme")
    person.refresh_from_db()
    assert not person.is_staff and OPERATORS not in group_names(person)


def test_sync_roles_leaves_superusers_alone(db, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", password="x")
    sync_roles(superuser, USER_SCOPES, "acme")
    superuser.refresh_from_db()
    assert superuser.is_staff and superuser.is_superuser


def test_has_role(db, person):
    assert not has_role(person, {"User", "Admin"})
    sync_roles(person, USER_SCOPES, "acme")
    assert has_role(person, {"User", "Admin"}) and not has_role(person, {"Admin"}) and not has_role(person, ())
    sync_roles(person, ["otherapp.user"], "acme")  # the roles follow a sync at once
    assert not has_role(person, {"User", "Admin"})


def test_an_app_role_is_a_group_that_a_scope_grants(db, person):
    """At sign-in: the people without one land on the no-role page (sso.adapter)."""
    assert not has_role(person, app_role_names())
    person.groups.add(Group.objects.create(name="Auditors"))
    assert not has_role(person, app_role_names())
    sync_roles(person, USER_SCOPES, "acme")
    assert has_role(person, app_role_names())
    sync_roles(person, ["otherapp.user"], "acme")
    assert not has_role(person, app_role_names())


def test_role_names_are_read_once_a_request(db, person, django_assert_num_queries):
    person.groups.add(Group.objects.get(name="User"))
    with django_assert_num_queries(1):
        assert role_names(person) == {"User"} and has_role(person, {"User"}) and role_names(person) == {"User"}


def test_anonymous_people_have_no_role(db):
    assert role_names(AnonymousUser()) == frozenset() and not has_role(AnonymousUser(), {"User"})


def test_a_new_mapping_is_honoured(db, person):
    maintainers = Group.objects.create(name="Maintainers")
    ScopeRoleMapping.objects.create(scope="Maintenance", group=maintainers)
    assert ScopeRoleMapping.objects.get(group=maintainers).scope == "maintenance"  # stored lower-case
    sync_roles(person, ["mdsp:acme:mobilestarter.maintenance"], "acme")
    assert group_names(person) == {"Maintainers"}
    sync_roles(person, USER_SCOPES, "acme")
    assert group_names(person) == {"User"}


def test_resync_tenant_applies_a_new_mapping_to_its_people_only(db, django_user_model):
    people = {}
    for tenant in ("acme", "globex"):
        user = django_user_model.objects.create_user(username=f"user@{tenant}")
        MindSphereIdentity.objects.create(
            user=user, tenant=tenant, mindsphere_user_id="u1", email="user@x", scopes=USER_SCOPES
        )
        sync_roles(user, USER_SCOPES, tenant)
        people[tenant] = user
    ScopeRoleMapping.objects.create(tenant="acme", scope="user", group=Group.objects.get(name="Admin"))
    assert resync_tenant("acme") == 1
    assert group_names(people["acme"]) == {"Admin"}
    assert group_names(people["globex"]) == {"User"}


# --- subtenants: their people never administer (docs/tenancy.md, "Subtenants") -------------------------


@pytest.mark.parametrize(
    ("mapping", "scopes", "expected"),
    [
        ({}, ADMIN_SCOPES, {"User"}),  # the defaults: admin -> Admin is withheld, user -> User stays
        ({}, ["mobilestarter.admin"], set()),
        ({"user": "Admin"}, USER_SCOPES, set()),  # a tenant mapping that gives Admin gives it to nobody of a subtenant
        ({"admin": "User", "user": "User"}, ADMIN_SCOPES, {"User"}),
    ],
)
def test_a_subtenants_person_never_gets_the_tenants_admin_role(db, person, mapping, scopes, expected):
    for scope, role in mapping.items():
        ScopeRoleMapping.objects.create(tenant="acme", scope=scope, group=Group.objects.get(name=role))
    assert {group.name for group in sync_roles(person, scopes, "acme", "windpark-north")} == expected
    assert group_names(person) == expected


def test_a_subtenants_admin_of_an_operator_tenant_is_no_operator(db, person, settings):
    settings.MINDSPHERE_OPERATOR_TENANTS = ["acme"]
    sync_roles(person, ADMIN_SCOPES, "acme")
    person.refresh_from_db()
    assert person.is_staff  # the tenant's own admin is
    sync_roles(person, ADMIN_SCOPES, "acme", "windpark-north")  # moved into a subtenant in MindSphere
    person.refresh_from_db()
    assert not person.is_staff and group_names(person) == {"User"}


def test_resync_tenant_keeps_a_subtenants_people_from_the_admin_role(db, django_user_model):
    user = django_user_model.objects.create_user(username="north-user@acme")
    MindSphereIdentity.objects.create(
        user=user, tenant="acme", subtenant="windpark-north", mindsphere_user_id="n1", email="n@x", scopes=USER_SCOPES
    )
    ScopeRoleMapping.objects.create(tenant="acme", scope="user", group=Group.objects.get(name="Admin"))
    assert resync_tenant("acme") == 1
    assert group_names(user) == set()
