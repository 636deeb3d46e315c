"""Role home pages declared in navigation/homes.py: their order, groups, and what each role sees and opens."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

from navigation import homes
from navigation.groups import create_role_groups
from navigation.homes import ROLE_HOMES, RoleHome, role_home_for
from sso.models import MindSphereIdentity, ScopeRoleMapping
from tests.people import sign_in


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


# --- groups and mappings follow from the declarations ---------------------------------------------


def test_migrate_made_a_group_and_a_mapping_for_every_role(db):
    for home in ROLE_HOMES:
        assert ScopeRoleMapping.objects.get(scope=home.scope).group.name == home.role


def test_a_new_role_gets_its_group_and_scope_at_migrate(db, monkeypatch):
    monkeypatch.setattr(homes, "ROLE_HOMES", [*ROLE_HOMES, RoleHome("Maintenance", scope="maintenance", title="M")])
    assert create_role_groups() == ["Maintenance"]
    assert ScopeRoleMapping.objects.get(scope="maintenance").group.name == "Maintenance"
    assert create_role_groups() == []  # idempotent


def test_mappings_changed_by_operators_are_kept(db):
    ScopeRoleMapping.objects.filter(scope="user").delete()
    ScopeRoleMapping.objects.filter(scope="admin").update(group=Group.objects.get(name="User"))
    create_role_groups()
    assert not ScopeRoleMapping.objects.filter(scope="user").exists()
    assert ScopeRoleMapping.objects.get(scope="admin").group.name == "User"


# --- what each role sees and opens: role x page ---------------------------------------------------

# "Unmapped" is a group without a home page: no page is for it.
ROLES = ["Admin", "User", "Unmapped"]
# Who may open each page. The asset pages are for every role with a home page; Account for everyone signed in.
OPENS = {
    "/home/admin/": {"Admin"},
    "/home/user/": {"User"},
    "/assets/exports/": {"Admin", "User"},
    "/account/": {"Admin", "User", "Unmapped"},
    "/manage/roles/": {"Admin"},
}
MENUS = {
    "Admin": ["Admin", "Assets", "Exports", "Roles", "Account"],
    "User": ["Home", "Assets", "Exports", "Account"],
    "Unmapped": [],
}


def person(*roles: str) -> User:
    """Someone of tenant acme with exactly these roles."""
    name = "-".join(roles) or "nobody"
    user = User.objects.create_user(username=name)
    MindSphereIdentity.objects.create(user=user, tenant="acme", mindsphere_user_id=name, email=f"{name}@acme.example")
    Group.objects.get_or_create(name="Unmapped")
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def menu_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="menu".*?</nav>', html, flags=re.S)
    return re.findall(r"<span>([^<]+)</span></a></li>", nav.group(0)) if nav else []


@pytest.mark.parametrize("path", OPENS)
@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_its_roles_only(db, client, role, path):
    sign_in(client, person(role), tokens=True)  # identity and a valid token in the session: privileged pages check it
    response = client.get(path)
    if role in OPENS[path]:
        assert response.status_code == 200
        assert 'id="mindsphere-lifecycle"' in response.content.decode()
    else:
        assert response.status_code == 403
        assert "This page is not for your role" in response.content.decode()
    assert menu_labels(response.content.decode()) == MENUS[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_asset_list_checks_the_role_before_the_token(db, client, role):
    sign_in(client, person(role))  # signed in without MindSphere: no token to check
    response = client.get("/assets/")
    if role in OPENS["/assets/exports/"]:
        assert (response.status_code, response.headers["Location"]) == (302, "/?next=%2Fassets%2F")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("home", ROLE_HOMES, ids=lambda home: home.role)
def test_a_home_page_shows_its_title_and_is_not_cached(db, client, home):
    sign_in(client, person(home.role))
    response = client.get("/" + home.path)
    assert str(home.title) in response.content.decode()
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_assets_roles_narrows_the_asset_pages_and_their_links(db, client, settings):
    settings.ASSETS_ROLES = "Admin"
    sign_in(client, person("User"))
    home = client.get("/home/user/").content.decode()
    assert menu_labels(home) == ["Home", "Account"] and "Browse your assets" not in home
    assert client.get("/assets/exports/").status_code == 403
    sign_in(client, person("Admin"))
    assert client.get("/assets/exports/").status_code == 200
    assert "Assets" in menu_labels(client.get("/account/").content.decode())


@pytest.mark.parametrize("path", ["/home/admin/", "/home/user/", "/assets/exports/", "/account/", "/manage/roles/"])
def test_a_person_with_both_roles_has_one_home_in_the_menu(db, client, path):
    sign_in(client, person("Admin", "User"))
    response = client.get(path)
    assert menu_labels(response.content.decode()) == ["Admin", "Assets", "Exports", "Roles", "Account"]


def test_a_person_without_a_role_opens_account_with_a_way_back_and_no_menu(db, client):
    client.force_login(person())
    page = client.get("/account/").content.decode()
    assert menu_labels(page) == [] and 'class="topbar-back" href="/"' in page
    assert 'action="/sso/logout/"' in page and 'href="/account/sign-out-everywhere/"' in page
    assert 'href="/account/"' in client.get("/").content.decode()  # the no-role page links it


def test_the_user_home_links_the_assets(db, client):
    sign_in(client, person("User"))
    assert 'href="/assets/">Browse your assets</a>' in client.get("/home/user/").content.decode()


@pytest.mark.parametrize("home", ROLE_HOMES, ids=lambda home: home.role)
def test_anonymous_people_go_to_the_login_page_and_come_back(db, client, home):
    response = client.get("/" + home.path)
    assert (response.status_code, response.headers["Location"]) == (302, f"/?next=%2F{home.path.replace('/', '%2F')}")
    htmx = client.get("/" + home.path, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/account/"})
    assert htmx.headers["HX-Redirect"] == "/?next=%2Faccount%2F"
    assert "HX-Request" in htmx.headers["Vary"]


def test_a_role_without_the_page_gets_an_htmx_redirect_home(db, client):
    sign_in(client, person("User"))
    response = client.get("/home/admin/", headers={"HX-Request": "true"})
    assert (response.status_code, response.headers["HX-Redirect"]) == (403, "/")


@pytest.mark.parametrize(("roles", "location"), [(["Admin", "User"], "/home/admin/"), (["User"], "/home/user/")])
def test_slash_sends_each_role_to_its_home(db, client, roles, location):
    sign_in(client, person(*roles))
    response = client.get("/")
    assert (response.status_code, response.headers["Location"]) == (302, location)


@pytest.mark.parametrize("roles", [[], ["Unmapped"]], ids=["no-group", "no-home-page"])
def test_slash_shows_the_no_role_page_without_a_role_home(db, client, roles):
    sign_in(client, person(*roles))
    response = client.get("/")
    assert response.status_code == 403 and "No role assigned" in response.content.decode()


def test_an_unknown_home_is_404(db, client):
    sign_in(client, person("User"))
    assert client.get("/home/nobody/").status_code == 404


@pytest.mark.parametrize(
    ("view_name", "current"),
    [
        ("assets:list", "Assets"),
        ("assets:detail", "Assets"),
        ("assets:export_start", "Assets"),
        ("assets:exports", "Exports"),
        ("assets:export", "Exports"),
        ("assets:export_delete", "Exports"),
        ("navigation:account_sign_out_everywhere", "Account"),
        ("navigation:user_home", "Home"),
    ],
)
def test_one_menu_item_is_current_on_each_page(view_name, current):
    from django.utils import translation

    from navigation.menus import menu

    with translation.override("en"):
        assert [str(item.label) for item in menu() if item.is_current(view_name)] == [current]
