"""System checks on role home pages and menus (docs/role-home-pages.md lists the ids)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.template.loader import render_to_string

from navigation import checks, homes, menus
from navigation.homes import RoleHome
from navigation.menus import MenuItem

HOME = RoleHome("Maintenance", scope="maintenance", title="Maintenance")
PAGE = HOME.template


@pytest.fixture
def templates(settings, tmp_path, monkeypatch) -> Path:
    """A temporary templates directory searched first, and one role home whose template is PAGE."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    monkeypatch.setattr(homes, "ROLE_HOMES", [HOME])
    return tmp_path


def write(directory: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def ids() -> list[str]:
    return [message.id for message in checks.check_role_home_templates()]


def test_every_role_home_of_the_project_passes():
    assert checks.check_role_home_templates() == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {PAGE: '{% extends "base_signed_in.html" %}{% block content %}Hi{% endblock %}'}, [], id="signed-in-layout"
        ),
        pytest.param(
            {PAGE: '{% extends "pages/layout.html" %}', "pages/layout.html": '{% extends "base_signed_in.html" %}'},
            [],
            id="through-a-layout",
        ),
        pytest.param(
            {PAGE: '{% extends "base.html" %}{% block content %}Hi{% endblock %}'}, ["navigation.E001"], id="base-only"
        ),
        pytest.param({PAGE: '<p>Hi</p>{% include "sso/lifecycle.html" %}'}, ["navigation.E001"], id="plain-page"),
        pytest.param({PAGE: "{% extends layout %}"}, ["navigation.E001"], id="dynamic-parent"),
        pytest.param({PAGE: '{% extends "pages/missing.html" %}'}, ["navigation.E004"], id="missing-parent"),
        pytest.param({PAGE: "{% if %}"}, ["navigation.E004"], id="syntax-error"),
        pytest.param({}, ["navigation.E004"], id="missing-template"),
    ],
)
def test_role_home_templates(templates, files, expected):
    write(templates, files)
    assert ids() == expected


def test_e001_names_the_template_and_the_fix(templates):
    write(templates, {PAGE: '{% extends "base.html" %}'})
    (error,) = checks.check_role_home_templates()
    assert PAGE in error.msg and "Maintenance" in error.msg and "lifecycle" in error.msg
    assert '{% extends "base_signed_in.html" %}' in error.hint


def test_a_template_may_extend_one_of_the_same_name(templates):
    # An override of the project's base_signed_in.html that extends the original.
    write(
        templates,
        {PAGE: '{% extends "base_signed_in.html" %}', "base_signed_in.html": '{% extends "base_signed_in.html" %}'},
    )
    assert ids() == []


@pytest.mark.parametrize("block", ["after_main", "topbar", "content", "body_class", "head", "title"])
def test_no_page_can_drop_the_lifecycle_include(block, rf, db):
    # The include sits in base.html outside every block: overriding any block keeps it.
    from django.template import engines

    page = engines["django"].from_string(f'{{% extends "base_signed_in.html" %}}{{% block {block} %}}{{% endblock %}}')
    request = rf.get("/")
    request.user = User.objects.create_user(username="someone")
    assert 'id="mindsphere-lifecycle"' in page.render({"user": request.user}, request)


def test_pages_for_anonymous_people_have_no_lifecycle_include(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string("404.html", {"user": request.user}, request=request)
    assert "mindsphere-lifecycle" not in html


def test_the_menu_of_the_project_passes():
    assert checks.check_menu_url_names() == []


def test_e002_for_a_menu_item_whose_url_name_does_not_resolve(monkeypatch):
    monkeypatch.setattr(menus, "PAGES", [*menus.PAGES, MenuItem("Gone", "star", "navigation:gone")])
    assert [message.id for message in checks.check_menu_url_names()] == ["navigation.E002"]


def test_e002_for_a_url_name_that_needs_arguments(monkeypatch):
    monkeypatch.setattr(menus, "PAGES", [MenuItem("Asset", "grid", "assets:detail")])
    assert [message.id for message in checks.check_menu_url_names()] == ["navigation.E002"]


def test_e005_for_a_menu_item_whose_page_declares_no_roles(monkeypatch):
    monkeypatch.setattr(menus, "PAGES", [*menus.PAGES, MenuItem("Health", "star", "healthz")])
    (error,) = checks.check_menu_url_names()
    assert error.id == "navigation.E005" and "role_required" in error.hint


@pytest.mark.parametrize(
    "extra",
    [RoleHome("admin", scope="other", title="x"), RoleHome("Other", scope="admin", title="x")],
    ids=["same-role", "same-scope"],
)
def test_e003_for_two_homes_of_one_role_or_scope(monkeypatch, extra):
    monkeypatch.setattr(homes, "ROLE_HOMES", [*homes.ROLE_HOMES, extra])
    assert [message.id for message in checks.check_role_homes_are_distinct()] == ["navigation.E003"]
