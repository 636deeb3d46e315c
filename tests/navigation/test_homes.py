"""Role home pages declared in navigation/homes.py: their order, menu items, groups and pages."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from navigation import homes, menus
from navigation.groups import create_role_groups
from navigation.homes import ROLE_HOMES, RoleHome, role_home_for
from sso.models import ScopeRoleMapping


@pytest.mark.parametrize(
    ("roles", "expected"),
    [({"Admin", "User"}, "Admin"), ({"User"}, "User"), ({"Admin"}, "Admin"), (set(), None), ({"admin"}, None)],
)
def test_the_first_home_the_roles_allow_wins(roles, expected):
    home = role_home_for(roles)
    assert (home.role if home else None) == expected


def test_a_role_home_is_named_after_its_role():
    home = RoleHome("Field Service", scope="field-service", title="Field")
    assert (home.slug, home.url_name, home.path, home.template) == (
        "field_service",
        "navigation:field_service_home",
        "home/field-service/",
        "navigation/homes/field_service.html",
    )


@pytest.mark.parametrize("home", ROLE_HOMES, ids=lambda home: home.role)
def test_every_role_home_has_a_menu_item_for_its_role(home):
    assert menus.item_for(home.url_name).roles == {home.role}


def test_every_role_sees_the_account_page():
    assert menus.item_for("navigation:account").roles == {home.role for home in ROLE_HOMES}


# --- groups and mappings follow from the declarations ---------------------------------------------


def test_migrate_made_a_group_and_a_mapping_for_every_role(db):
    for home in ROLE_HOMES:
        assert ScopeRoleMapping.objects.get(scope=home.scope).group.name == home.role


def test_a_new_role_gets_its_group_and_scope_at_migrate(db, monkeypatch):
    monkeypatch.setattr(homes, "ROLE_HOMES", [*ROLE_HOMES, RoleHome("Maintenance", scope="maintenance", title="M")])
    monkeypatch.setattr("navigation.groups.ROLE_HOMES", homes.ROLE_HOMES)
    assert create_role_groups() == ["Maintenance"]
    assert ScopeRoleMapping.objects.get(scope="maintenance").group.name == "Maintenance"
    assert create_role_groups() == []  # idempotent


def test_mappings_changed_by_operators_are_kept(db):
    ScopeRoleMapping.objects.filter(scope="user").delete()
    ScopeRoleMapping.objects.filter(scope="admin").update(group=Group.objects.get(name="User"))
    create_role_groups()
    assert not ScopeRoleMapping.objects.filter(scope="user").exists()
    assert ScopeRoleMapping.objects.get(scope="admin").group.name == "User"


# --- the pages: role x page ----------------------------------------------------------------------


def person(*roles: str) -> User:
    user = User.objects.create_user(username="-".join(roles) or "nobody")
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


@pytest.mark.parametrize("home", ROLE_HOMES, ids=lambda home: home.role)
@pytest.mark.parametrize("role", [home.role for home in ROLE_HOMES] + ["Unmapped"])
def test_a_home_page_is_for_its_role_only(db, client, home, role):
    Group.objects.get_or_create(name="Unmapped")
    client.force_login(person(role))
    response = client.get("/" + home.path)
    if role == home.role:
        assert response.status_code == 200
        assert str(home.title) in response.content.decode()
        assert 'id="mindsphere-lifecycle"' in response.content.decode()
        assert response.headers["Cache-Control"].startswith("max-age=0")
    else:
        assert response.status_code == 403
        assert "This page is not for your role" in response.content.decode()


@pytest.mark.parametrize("home", ROLE_HOMES, ids=lambda home: home.role)
def test_anonymous_people_go_to_the_login_page_and_come_back(db, client, home):
    response = client.get("/" + home.path)
    assert (response.status_code, response.headers["Location"]) == (302, f"/?next=%2F{home.path.replace('/', '%2F')}")
    htmx = client.get("/" + home.path, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/account/"})
    assert htmx.headers["HX-Redirect"] == "/?next=%2Faccount%2F"
    assert "HX-Request" in htmx.headers["Vary"]


def test_a_role_without_the_page_gets_an_htmx_redirect_home(db, client):
    client.force_login(person("User"))
    response = client.get("/home/admin/", headers={"HX-Request": "true"})
    assert (response.status_code, response.headers["HX-Redirect"]) == (403, "/")


@pytest.mark.parametrize(("roles", "location"), [(["Admin", "User"], "/home/admin/"), (["User"], "/home/user/")])
def test_slash_sends_each_role_to_its_home(db, client, roles, location):
    client.force_login(person(*roles))
    response = client.get("/")
    assert (response.status_code, response.headers["Location"]) == (302, location)


def test_slash_shows_the_no_role_page_without_a_mapped_role(db, client):
    client.force_login(person())
    response = client.get("/")
    assert response.status_code == 403 and "No role assigned" in response.content.decode()


def test_an_unknown_home_is_404(db, client):
    client.force_login(person("User"))
    assert client.get("/home/nobody/").status_code == 404
