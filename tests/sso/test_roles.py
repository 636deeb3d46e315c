"""From MindSphere scopes to Django groups: the mapping, the default roles, and syncing a user."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from sso.models import ScopeRoleMapping
from sso.roles import app_scope_names, groups_for_scopes, has_role, sync_roles

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


def test_data_migration_made_the_default_roles(db):
    mappings = {mapping.scope: mapping.group.name for mapping in ScopeRoleMapping.objects.all()}
    assert mappings == {"admin": "Admin", "user": "User"}
    admin = Group.objects.get(name="Admin")
    assert {(p.content_type.app_label, p.content_type.model, p.codename) for p in admin.permissions.all()} == {
        ("sso", "scoperolemapping", f"{action}_scoperolemapping") for action in ("view", "add", "change", "delete")
    }
    assert not Group.objects.get(name="User").permissions.exists()


def test_groups_for_scopes(db):
    assert {group.name for group in groups_for_scopes(ADMIN_SCOPES)} == {"Admin", "User"}
    assert {group.name for group in groups_for_scopes(["mdsp:core:TenantAdmin"])} == set()


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user(username="person@acme.example", email="person@acme.example")


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_sync_roles_adds_mapped_groups_and_staff(db, person):
    granted = sync_roles(person, ADMIN_SCOPES)
    person.refresh_from_db()
    assert {group.name for group in granted} == {"Admin", "User"}
    assert group_names(person) == {"Admin", "User"}
    assert person.is_staff
    assert not person.is_superuser


def test_sync_roles_user_only_is_not_staff(db, person):
    sync_roles(person, USER_SCOPES)
    person.refresh_from_db()
    assert group_names(person) == {"User"}
    assert not person.is_staff
    assert not person.is_superuser


def test_sync_roles_removes_groups_no_longer_granted_and_keeps_unmapped(db, person):
    auditors = Group.objects.create(name="Auditors")
    person.groups.add(auditors)
    sync_roles(person, ADMIN_SCOPES)
    sync_roles(person, USER_SCOPES)
    person.refresh_from_db()
    assert group_names(person) == {"User", "Auditors"}
    assert not person.is_staff
    sync_roles(person, [])
    assert group_names(person) == {"Auditors"}


def test_sync_roles_revokes_staff_when_admin_is_revoked(db, person):
    sync_roles(person, ADMIN_SCOPES)
    person.refresh_from_db()
    assert person.is_staff
    sync_roles(person, ["mdsp:core:TenantAdmin"])
    person.refresh_from_db()
    assert not person.is_staff
    assert group_names(person) == set()


def test_sync_roles_never_makes_a_superuser(db, person):
    for scopes in (ADMIN_SCOPES, ["mobilestarter.admin", "mdsp:core:TenantAdmin", "mobilestarter.superuser"]):
        sync_roles(person, scopes)
        person.refresh_from_db()
        assert not person.is_superuser


def test_has_role(db, person):
    assert not has_role(person)
    person.groups.add(Group.objects.create(name="Auditors"))
    assert not has_role(person)
    sync_roles(person, USER_SCOPES)
    assert has_role(person)
    sync_roles(person, ["otherapp.user"])
    assert not has_role(person)


def test_a_new_mapping_is_honoured(db, person):
    maintainers = Group.objects.create(name="Maintainers")
    ScopeRoleMapping.objects.create(scope="Maintenance", group=maintainers)
    assert ScopeRoleMapping.objects.get(group=maintainers).scope == "maintenance"  # stored lower-case
    sync_roles(person, ["mdsp:acme:mobilestarter.maintenance"])
    assert group_names(person) == {"Maintainers"}
    assert has_role(person)
    person.refresh_from_db()
    assert not person.is_staff  # the new group carries no permissions
    sync_roles(person, USER_SCOPES)
    assert group_names(person) == {"User"}


def test_a_group_with_permissions_makes_staff(db, person):
    editors = Group.objects.create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="view_scoperolemapping"))
    ScopeRoleMapping.objects.create(scope="editor", group=editors)
    sync_roles(person, ["mobilestarter.editor"])
    person.refresh_from_db()
    assert person.is_staff
