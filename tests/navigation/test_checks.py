"""System checks on role home pages and menus (docs/role-home-pages.md lists the ids)."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from navigation import checks, menus, registry
from navigation.menus import MenuItem
from navigation.registry import RoleHome

PAGE = "pages/home.html"


@pytest.fixture
def templates(settings, tmp_path) -> Path:
    """A temporary templates directory searched before the project's ones."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    return tmp_path


def write(directory: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def page_home(monkeypatch) -> RoleHome:
    """The registry holds one role home, for the User role, whose template is PAGE."""
    home = RoleHome(role="User", url_name="navigation:user_home", template=PAGE, title="Home")
    monkeypatch.setattr(registry, "ROLE_HOMES", [home])
    return home


def template_ids() -> list[str]:
    return [message.id for message in checks.check_role_home_templates()]


def test_the_project_passes_all_checks():
    call_command("check")


def test_the_project_passes_the_database_checks(db):
    call_command("check", databases=["default"])


def test_every_role_home_of_the_project_carries_the_include():
    assert checks.check_role_home_templates() == []


LIFECYCLE = '{% include "sso/lifecycle.html" %}'


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({PAGE: '{% extends "base.html" %}{% block content %}Hi{% endblock %}'}, ["navigation.E001"], id="no-include"),
        pytest.param({PAGE: "<p>Hi</p>"}, ["navigation.E001"], id="plain-page"),
        pytest.param({PAGE: f"<p>Hi</p>{LIFECYCLE}"}, [], id="include-in-a-plain-page"),
        pytest.param(
            {
                PAGE: '{% extends "base.html" %}{% block after_main %}{% include "pages/a.html" %}{% endblock %}',
                "pages/a.html": '<div>{% include "pages/b.html" %}</div>',
                "pages/b.html": f"<div>{LIFECYCLE}</div>",
            },
            [],
            id="two-includes-deep",
        ),
        pytest.param(
            {
                PAGE: '{% extends "base.html" %}{% block after_main %}{% include "pages/a.html" %}{% endblock %}',
                "pages/a.html": '<div>{% include "pages/b.html" %}</div>',
                "pages/b.html": "<div>nothing here</div>",
            },
            ["navigation.E001"],
            id="two-includes-deep-without-it",
        ),
        pytest.param(
            {
                PAGE: '{% extends "base.html" %}{% block after_main %}{% include "./a.html" %}{% endblock %}',
                "pages/a.html": LIFECYCLE,
            },
            [],
            id="relative-include",
        ),
        pytest.param(
            {PAGE: '{% extends "base_signed_in.html" %}{% block content %}Hi{% endblock %}'}, [], id="extends-base-signed-in"
        ),
        pytest.param(
            {PAGE: '{% extends "base_signed_in.html" %}{% block after_main %}<p>mine</p>{% endblock %}'},
            ["navigation.E001"],
            id="overrides-after-main",
        ),
        pytest.param(
            {PAGE: '{% extends "base_signed_in.html" %}{% block after_main %}<p>mine</p>{{ block.super }}{% endblock %}'},
            [],
            id="overrides-after-main-with-block-super",
        ),
        pytest.param(
            {
                PAGE: '{% extends "pages/middle.html" %}{% block content %}Hi{% endblock %}',
                "pages/middle.html": '{% extends "base_signed_in.html" %}{% block after_main %}{{ block.super }}<p>m</p>{% endblock %}',
            },
            [],
            id="grandchild-of-base-signed-in",
        ),
        pytest.param(
            {
                PAGE: '{% extends "pages/middle.html" %}{% block after_main %}{{ block.super }}{% endblock %}',
                "pages/middle.html": '{% extends "base_signed_in.html" %}{% block after_main %}<p>m</p>{% endblock %}',
            },
            ["navigation.E001"],
            id="block-super-of-a-parent-that-dropped-it",
        ),
        pytest.param(
            {PAGE: '{% extends "base.html" %}{% block nowhere %}' + LIFECYCLE + "{% endblock %}"},
            ["navigation.E001"],
            id="in-a-block-the-parent-never-renders",
        ),
        pytest.param(
            {PAGE: '{% extends "base.html" %}' + LIFECYCLE + '{% block content %}Hi{% endblock %}'},
            ["navigation.E001"],
            id="outside-blocks-of-a-child",
        ),
        pytest.param(
            {PAGE: '{% extends "base.html" %}{% block after_main %}{% comment %}' + LIFECYCLE + "{% endcomment %}{% endblock %}"},
            ["navigation.E001"],
            id="commented-out",
        ),
        pytest.param(
            {PAGE: '{% extends "base.html" %}{% block after_main %}{% if user %}' + LIFECYCLE + "{% endif %}{% endblock %}"},
            [],
            id="inside-if",
        ),
        pytest.param(
            {
                PAGE: '{% extends "base.html" %}{% block after_main %}{% include "pages/partial.html" %}{% endblock %}',
                "pages/partial.html": '{% extends "base_signed_in.html" %}',
            },
            [],
            id="include-of-a-template-that-extends-base-signed-in",
        ),
        pytest.param(
            {PAGE: '{% extends "base.html" %}{% block after_main %}{% include lifecycle_name %}{% endblock %}'},
            ["navigation.E001"],
            id="include-by-variable",
        ),
        pytest.param(
            {PAGE: '{% extends base_name %}'},
            ["navigation.E001"],
            id="extends-by-variable",
        ),
        pytest.param({PAGE: '{% extends "pages/gone.html" %}'}, ["navigation.E004"], id="parent-missing"),
        pytest.param(
            {PAGE: '{% extends "base.html" %}{% block after_main %}{% include "pages/gone.html" %}{% endblock %}'},
            ["navigation.E004"],
            id="include-missing",
        ),
        pytest.param({PAGE: "{% if %}"}, ["navigation.E004"], id="syntax-error"),
        pytest.param(
            {PAGE: '{% extends "base.html" %}{% block after_main %}{% include "pages/broken.html" %}{% endblock %}', "pages/broken.html": "{% for %}"},
            ["navigation.E004"],
            id="include-with-syntax-error",
        ),
        pytest.param({PAGE: '{% include "pages/home.html" %}'}, ["navigation.E004"], id="include-loop"),
    ],
)
def test_lifecycle_include(templates, page_home, files, expected):
    write(templates, files)
    assert template_ids() == expected


def test_e001_names_the_template_and_the_fix(templates, page_home):
    write(templates, {PAGE: '{% extends "base.html" %}'})
    [error] = checks.check_role_home_templates()
    assert error.id == "navigation.E001"
    assert PAGE in error.msg and "'User'" in error.msg
    assert "base_signed_in.html" in error.hint and "block.super" in error.hint


def test_e001_mentions_names_it_could_not_follow(templates, page_home):
    write(templates, {PAGE: '{% extends "base.html" %}{% block after_main %}{% include lifecycle_name %}{% endblock %}'})
    [error] = checks.check_role_home_templates()
    assert "lifecycle_name" in error.msg


def test_e001_fails_manage_py_check(templates, page_home):
    write(templates, {PAGE: '{% extends "base.html" %}'})
    with pytest.raises(SystemCheckError, match=r"navigation\.E001"):
        call_command("check")


def test_a_template_may_extend_one_of_the_same_name(templates, monkeypatch):
    """A project override of base_signed_in.html that extends the original keeps the include."""
    home = RoleHome(role="User", url_name="navigation:user_home", template="navigation/user_home.html", title="Home")
    monkeypatch.setattr(registry, "ROLE_HOMES", [home])
    write(templates, {"base_signed_in.html": '{% extends "base_signed_in.html" %}{% block title %}X{% endblock %}'})
    assert template_ids() == []


def test_e004_for_a_missing_template(monkeypatch):
    home = RoleHome(role="User", url_name="navigation:user_home", template="navigation/nope_home.html", title="Nope")
    monkeypatch.setattr(registry, "ROLE_HOMES", [home])
    [error] = checks.check_role_home_templates()
    assert error.id == "navigation.E004"
    assert "navigation/nope_home.html" in error.msg


def test_e002_for_a_menu_item_whose_url_name_does_not_resolve(monkeypatch):
    monkeypatch.setattr(menus, "MENU", [*menus.MENU, MenuItem("Reports", "grid", "navigation:reports", frozenset({"User"}))])
    [error] = checks.check_url_names()
    assert error.id == "navigation.E002"
    assert "navigation:reports" in error.msg and "Reports" in error.msg


def test_e002_for_a_url_name_that_needs_arguments(monkeypatch):
    monkeypatch.setattr(menus, "MENU", [MenuItem("Asset", "grid", "admin:auth_group_change", frozenset({"User"}))])
    assert [error.id for error in checks.check_url_names()] == ["navigation.E002"]


def test_e002_for_a_role_home_whose_url_name_does_not_resolve(monkeypatch):
    home = RoleHome(role="User", url_name="navigation:nope_home", template="navigation/user_home.html", title="Nope")
    monkeypatch.setattr(registry, "ROLE_HOMES", [*registry.ROLE_HOMES, home])
    [error] = checks.check_url_names()
    assert error.id == "navigation.E002"
    assert "navigation:nope_home" in error.msg


def test_url_names_of_the_project_resolve():
    assert checks.check_url_names() == []


def test_e003_for_a_registry_role_without_a_group(db, monkeypatch):
    home = RoleHome(role="Ghost", url_name="navigation:user_home", template="navigation/user_home.html", title="Ghost")
    monkeypatch.setattr(registry, "ROLE_HOMES", [*registry.ROLE_HOMES, home])
    [error] = checks.check_role_groups(databases=["default"])
    assert error.id == "navigation.E003"
    assert "'Ghost'" in error.msg


def test_e003_for_a_menu_role_without_a_group(db, monkeypatch):
    monkeypatch.setattr(menus, "MENU", [*menus.MENU, MenuItem("Audit", "grid", "navigation:account", frozenset({"Auditor"}))])
    assert [error.obj for error in checks.check_role_groups(databases=["default"])] == ["Auditor"]


def test_e003_when_a_group_was_deleted(db):
    Group.objects.filter(name="User").delete()
    assert [error.id for error in checks.check_role_groups(databases=["default"])] == ["navigation.E003"]
    with pytest.raises(SystemCheckError, match=r"navigation\.E003"):
        call_command("check", databases=["default"])


def test_e003_needs_a_database(monkeypatch):
    home = RoleHome(role="Ghost", url_name="navigation:user_home", template="navigation/user_home.html", title="Ghost")
    monkeypatch.setattr(registry, "ROLE_HOMES", [home])
    assert checks.check_role_groups() == []
    assert checks.check_role_groups(databases=[]) == []
    call_command("check")  # without --database the check does not run


def test_e003_waits_while_migrations_are_pending(db, monkeypatch):
    """`migrate` runs the check first; the groups may come from the migrations it is about to apply."""
    home = RoleHome(role="Ghost", url_name="navigation:user_home", template="navigation/user_home.html", title="Ghost")
    monkeypatch.setattr(registry, "ROLE_HOMES", [home])
    monkeypatch.setattr(checks, "_fully_migrated", lambda alias: False)
    assert checks.check_role_groups(databases=["default"]) == []
