"""The role home registry: order, the first allowed home, homes added as data, the generic view."""
from __future__ import annotations

import json
import sys
import types

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.urls import URLResolver, include, path

import project.urls
from navigation import menus, registry, urls, views
from navigation.registry import RoleHome, load_role_homes, role_home_by_url_name, role_home_for
from sso.models import ScopeRoleMapping


def test_admin_comes_first_then_user():
    assert [(home.role, home.url_name) for home in registry.ROLE_HOMES[:2]] == [
        ("Admin", "navigation:admin_home"),
        ("User", "navigation:user_home"),
    ]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({"Admin", "User"}, "navigation:admin_home"),
        ({"User", "Admin"}, "navigation:admin_home"),
        ({"User"}, "navigation:user_home"),
        ({"Admin"}, "navigation:admin_home"),
        ({"User", "Unknown"}, "navigation:user_home"),
    ],
)
def test_role_home_for_picks_the_first_allowed_home(roles, expected):
    assert role_home_for(roles).url_name == expected


@pytest.mark.parametrize("roles", [set(), {"Unknown"}, {"admin"}])
def test_role_home_for_no_allowed_home(roles):
    assert role_home_for(roles) is None


def test_role_home_for_follows_the_registry_order(monkeypatch):
    first = RoleHome("Maintenance", "navigation:maintenance_home", "navigation/maintenance_home.html", "Maintenance")
    monkeypatch.setattr(registry, "ROLE_HOMES", [first, *registry.ROLE_HOMES])
    assert role_home_for({"User", "Maintenance"}) is first


def test_role_home_by_url_name():
    assert role_home_by_url_name("navigation:user_home").template == "navigation/user_home.html"


def test_every_role_home_has_a_menu_item_for_its_role():
    items = {item.url_name: item for item in menus.MENU}
    for home in registry.ROLE_HOMES:
        assert home.role in items[home.url_name].roles


def test_every_role_sees_the_account_page():
    account = menus.item_for("navigation:account")
    assert {home.role for home in registry.ROLE_HOMES} <= account.roles


# --- role homes as data (role_homes.json, written by startrolehome) ------------------------------


def test_the_project_data_file_is_a_list():
    assert isinstance(json.loads(registry.DATA_FILE.read_text()), list)


def test_load_role_homes(tmp_path):
    data = tmp_path / "role_homes.json"
    data.write_text(json.dumps([{"role": "Field Service", "slug": "field_service", "icon": "star",
                                 "template": "navigation/field_service_home.html"}]))
    [home] = load_role_homes(data)
    assert home == RoleHome(
        role="Field Service",
        url_name="navigation:field_service_home",
        template="navigation/field_service_home.html",
        title="Field Service",
        icon="star",
        slug="field_service",
    )
    assert home.path == "home/field-service/"


def test_load_role_homes_without_a_file(tmp_path):
    assert load_role_homes(tmp_path / "missing.json") == []


@pytest.mark.parametrize(
    "text",
    ["{not json", '{"role": "X"}', '[{"role": "X"}]', '[{"role": "X", "slug": "Bad Slug"}]', '[{"role": "X", "slug": "../x"}]', "[1]"],
)
def test_load_role_homes_refuses_bad_data(tmp_path, text):
    data = tmp_path / "role_homes.json"
    data.write_text(text)
    with pytest.raises(ImproperlyConfigured):
        load_role_homes(data)


MAINTENANCE = RoleHome(
    role="Maintenance",
    url_name="navigation:maintenance_home",
    template="navigation/maintenance_home.html",
    title="Maintenance",
    icon="star",
    slug="maintenance",
)


@pytest.fixture
def maintenance_home(settings, tmp_path, monkeypatch) -> RoleHome:
    """A role home as startrolehome adds it: registry entry, template, and the URL the URLconf makes."""
    (tmp_path / "navigation").mkdir()
    (tmp_path / "navigation" / "maintenance_home.html").write_text(
        '{% extends "base_signed_in.html" %}{% block content %}<h1>{{ home.title }} for {{ home.role }}</h1>{% endblock %}'
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    monkeypatch.setattr(registry, "ROLE_HOMES", [*registry.ROLE_HOMES, MAINTENANCE])
    # The URLconf as navigation/urls.py builds it when role_homes.json lists the home.
    navigation_patterns = [
        *urls.urlpatterns,
        path(MAINTENANCE.path, views.role_home, {"slug": "maintenance"}, name="maintenance_home"),
    ]
    others = [p for p in project.urls.urlpatterns if not (isinstance(p, URLResolver) and p.namespace == "navigation")]
    module = types.ModuleType("tests_navigation_role_home_urls")
    module.urlpatterns = [path("", include((navigation_patterns, "navigation"))), *others]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    settings.ROOT_URLCONF = module.__name__
    Group.objects.get_or_create(name="Maintenance")
    return MAINTENANCE


def person(*roles: str) -> User:
    user = User.objects.create_user(username="-".join(roles) or "nobody")
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def test_the_generic_view_serves_the_home_to_its_role(db, client, maintenance_home):
    client.force_login(person("Maintenance"))
    response = client.get("/home/maintenance/")
    assert response.status_code == 200
    assert "<h1>Maintenance for Maintenance</h1>" in response.content.decode()
    assert 'id="mindsphere-lifecycle"' in response.content.decode()  # base_signed_in.html's include
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_the_generic_view_refuses_other_roles(db, client, maintenance_home):
    client.force_login(person("User"))
    assert client.get("/home/maintenance/").status_code == 403


def test_the_generic_view_sends_anonymous_people_to_the_login_page(db, client, maintenance_home):
    response = client.get("/home/maintenance/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/?next=")


def test_the_generic_view_is_404_for_an_unknown_slug(db, rf, maintenance_home):
    request = rf.get("/home/gone/")
    request.user = person("Maintenance")
    with pytest.raises(Http404):
        views.role_home(request, slug="gone")


def test_home_sends_the_role_to_its_page(db, client, maintenance_home):
    ScopeRoleMapping.objects.create(scope="maintenance", group=Group.objects.get(name="Maintenance"))
    client.force_login(person("Maintenance"))
    response = client.get("/")
    assert (response.status_code, response.headers["Location"]) == (302, "/home/maintenance/")
