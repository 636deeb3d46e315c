"""`manage.py startrolehome`: the migration, the template and the registry entry of a new role."""
from __future__ import annotations

import importlib.util
import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import migrations

from navigation import checks, menus, registry
from navigation.registry import load_role_homes
from sso.models import ScopeRoleMapping


class Paths:
    def __init__(self, root: Path):
        self.root = root
        self.templates = root / "templates"
        self.migrations = root / "migrations"
        self.data = root / "role_homes.json"

    def files(self) -> list[str]:
        return sorted(str(path.relative_to(self.root)) for path in self.root.rglob("*") if path.is_file())


@pytest.fixture
def paths(tmp_path) -> Paths:
    return Paths(tmp_path)


@pytest.fixture
def start(paths):
    """Run the command, writing under tmp_path instead of the repository; returns its output."""

    def run(*args: str) -> str:
        out = StringIO()
        call_command(
            "startrolehome",
            *args,
            templates_dir=paths.templates,
            migrations_dir=paths.migrations,
            data_file=paths.data,
            stdout=out,
        )
        return out.getvalue()

    return run


def load_migration(path: Path):
    spec = importlib.util.spec_from_file_location(f"rolehome_migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_writes_a_migration_a_template_and_a_registry_entry(db, start, paths):
    output = start("Maintenance", "--scope", "maintenance")
    assert paths.files() == [
        "migrations/0001_role_maintenance.py",
        "migrations/__init__.py",
        "role_homes.json",
        "templates/navigation/maintenance_home.html",
    ]
    assert json.loads(paths.data.read_text()) == [
        {
            "role": "Maintenance",
            "slug": "maintenance",
            "scope": "maintenance",
            "title": "Maintenance",
            "icon": "star",
            "template": "navigation/maintenance_home.html",
        }
    ]
    template = (paths.templates / "navigation" / "maintenance_home.html").read_text()
    assert template.startswith('{% extends "base_signed_in.html" %}')
    assert "python manage.py migrate navigation" in output
    assert "/home/maintenance/" in output


def test_the_migration_depends_on_the_roles_of_sso_and_is_reversible(db, start, paths):
    start("Maintenance", "--scope", "maintenance")
    migration = load_migration(paths.migrations / "0001_role_maintenance.py").Migration
    assert migration.dependencies == [("sso", "0002_default_roles")]
    [operation] = migration.operations
    assert isinstance(operation, migrations.RunPython) and operation.reversible


def test_the_migration_creates_and_removes_the_group_and_its_scope(db, start, paths):
    start("Field Service", "--scope", "field-service")
    module = load_migration(paths.migrations / "0001_role_field_service.py")
    module.create_role(apps, None)
    module.create_role(apps, None)  # idempotent
    assert ScopeRoleMapping.objects.get(scope="field-service").group.name == "Field Service"
    module.remove_role(apps, None)
    assert not Group.objects.filter(name="Field Service").exists()
    assert not ScopeRoleMapping.objects.filter(scope="field-service").exists()
    assert Group.objects.filter(name__in=["Admin", "User"]).count() == 2


def test_the_migration_keeps_a_mapping_made_in_the_admin(db, start, paths):
    start("Maintenance", "--scope", "maintenance")
    module = load_migration(paths.migrations / "0001_role_maintenance.py")
    ScopeRoleMapping.objects.create(scope="maintenance", group=Group.objects.get(name="User"))
    module.create_role(apps, None)
    assert ScopeRoleMapping.objects.get(scope="maintenance").group.name == "User"
    module.remove_role(apps, None)
    assert ScopeRoleMapping.objects.filter(scope="maintenance").exists()


def test_the_new_role_passes_the_checks(db, start, paths, settings, monkeypatch):
    start("Maintenance", "--scope", "maintenance")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [paths.templates, *engine["DIRS"]]}]
    [home] = load_role_homes(paths.data)
    monkeypatch.setattr(registry, "ROLE_HOMES", [*registry.ROLE_HOMES, home])
    assert checks.check_role_home_templates() == []
    assert [error.id for error in checks.check_role_groups(databases=["default"])] == ["navigation.E003"]
    load_migration(paths.migrations / "0001_role_maintenance.py").create_role(apps, None)
    assert checks.check_role_groups(databases=["default"]) == []


def test_a_second_role_depends_on_the_first(db, start, paths):
    start("Maintenance", "--scope", "maintenance")
    start("Field Service", "--scope", "field_service", "--icon", "grid", "--title", "Field")
    migration = load_migration(paths.migrations / "0002_role_field_service.py").Migration
    assert migration.dependencies == [("sso", "0002_default_roles"), ("navigation", "0001_role_maintenance")]
    entries = json.loads(paths.data.read_text())
    assert [(entry["slug"], entry["icon"], entry["title"]) for entry in entries] == [
        ("maintenance", "star", "Maintenance"),
        ("field_service", "grid", "Field"),
    ]


def test_an_existing_migrations_package_is_kept(db, start, paths):
    paths.migrations.mkdir()
    (paths.migrations / "__init__.py").write_text("# mine\n")
    (paths.migrations / "0003_something.py").write_text("")
    start("Maintenance", "--scope", "maintenance")
    assert (paths.migrations / "__init__.py").read_text() == "# mine\n"
    migration = load_migration(paths.migrations / "0004_role_maintenance.py").Migration
    assert ("navigation", "0003_something") in migration.dependencies


def test_dry_run_writes_nothing(db, start, paths):
    output = start("Maintenance", "--scope", "maintenance", "--dry-run")
    assert paths.files() == []
    assert "0001_role_maintenance.py" in output and "maintenance_home.html" in output


@pytest.mark.parametrize(
    "role",
    ["", "Bad!", " Lead", "Lead ", "Two  Spaces", "Field-Service", "Ünits", "Admin", "admin", "USER", "x" * 151],
)
def test_bad_or_existing_role_names_are_refused(db, start, paths, role):
    with pytest.raises(CommandError):
        start(role, "--scope", "fresh")
    assert paths.files() == []


@pytest.mark.parametrize("scope", ["", "Maintenance", "main tenance", "-x", "_x", "a.b", "admin", "user", "a" * 51])
def test_bad_or_existing_scopes_are_refused(db, start, paths, scope):
    with pytest.raises(CommandError):
        start("Maintenance", "--scope", scope)
    assert paths.files() == []


def test_an_unknown_icon_is_refused(db, start, paths):
    with pytest.raises(CommandError, match="icon"):
        start("Maintenance", "--scope", "maintenance", "--icon", "rocket")
    assert paths.files() == []


def test_a_role_or_scope_already_added_is_refused(db, start, paths):
    start("Maintenance", "--scope", "maintenance")
    before = paths.files()
    with pytest.raises(CommandError, match="exists already"):
        start("maintenance", "--scope", "other")
    with pytest.raises(CommandError, match="grants a role already"):
        start("Other", "--scope", "maintenance")
    assert paths.files() == before


def test_a_group_or_scope_in_the_database_is_refused(db, start, paths):
    Group.objects.create(name="Maintenance")
    with pytest.raises(CommandError, match="database"):
        start("Maintenance", "--scope", "maintenance")
    ScopeRoleMapping.objects.create(scope="ops", group=Group.objects.get(name="User"))
    with pytest.raises(CommandError, match="database"):
        start("Operations", "--scope", "ops")
    assert paths.files() == []


def test_existing_files_are_not_overwritten(db, start, paths):
    template = paths.templates / "navigation" / "maintenance_home.html"
    template.parent.mkdir(parents=True)
    template.write_text("mine")
    with pytest.raises(CommandError, match="not overwriting"):
        start("Maintenance", "--scope", "maintenance")
    assert template.read_text() == "mine"
    assert paths.files() == ["templates/navigation/maintenance_home.html"]


def test_an_existing_migration_of_the_role_is_not_repeated(db, start, paths):
    paths.migrations.mkdir()
    (paths.migrations / "0001_role_maintenance.py").write_text("# mine\n")
    with pytest.raises(CommandError, match="exists"):
        start("Maintenance", "--scope", "maintenance")
    assert (paths.migrations / "0001_role_maintenance.py").read_text() == "# mine\n"
    assert paths.files() == ["migrations/0001_role_maintenance.py"]


def test_a_url_name_taken_by_another_role_is_refused(db, start, paths, monkeypatch):
    home = registry.RoleHome("Ops", "navigation:field_service_home", "navigation/ops.html", "Ops")
    monkeypatch.setattr(registry, "ROLE_HOMES", [*registry.ROLE_HOMES, home])
    with pytest.raises(CommandError, match="taken"):
        start("Field Service", "--scope", "fresh")
    assert paths.files() == []


def test_a_url_that_is_served_already_is_refused(db, start, paths, monkeypatch):
    """/home/user/ is served even when nothing else names the role User any more."""
    monkeypatch.setattr(registry, "ROLE_HOMES", [home for home in registry.ROLE_HOMES if home.role != "User"])
    monkeypatch.setattr(menus, "MENU", [item for item in menus.MENU if "User" not in item.roles])
    Group.objects.filter(name="User").delete()
    with pytest.raises(CommandError, match="taken"):
        start("User", "--scope", "fresh")
    assert paths.files() == []


def test_more_than_five_app_roles_are_flagged(db, start, paths):
    """admin and user, then three more make five, which MindSphere allows; a sixth is flagged."""
    for index, name in enumerate(["One", "Two", "Three", "Four"]):
        output = start(name, "--scope", name.lower())
        assert ("at most 5 app roles" in output) == (index == 3)
