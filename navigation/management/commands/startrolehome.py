"""`manage.py startrolehome Maintenance --scope maintenance`: what a new role needs, in one go.

It writes a data migration (the group and the scope that grants it), a home page template that
extends base_signed_in.html (so it carries the lifecycle include) and an entry in
navigation/role_homes.json, which the registry, the menu and the URLs read: the generic
`role_home` view serves the page at /home/<slug>/ for that role only. No Python is edited.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import tempfile
from argparse import SUPPRESS
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.template.loader import get_template
from django.urls import Resolver404, resolve

from navigation import menus, registry
from sso.models import ScopeRoleMapping, scope_validator

ROLE_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
ROLE_NAME_MAX = 150  # django.contrib.auth Group.name
SCOPE_MAX = 50  # sso ScopeRoleMapping.scope
TITLE_MAX = 50
MIGRATION_FILE = re.compile(r"(\d{4})_\w+\.py")
MINDSPHERE_MAX_APP_ROLES = 5
SSO_ROLES_MIGRATION = ("sso", "0002_default_roles")

MIGRATION = '''"""Role {role!r}: its group, and the scope {scope!r} that grants it (written by `manage.py startrolehome`)."""
from django.db import migrations

ROLE = {role!r}
SCOPE = {scope!r}


def create_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    ScopeRoleMapping = apps.get_model("sso", "ScopeRoleMapping")
    group, _ = Group.objects.get_or_create(name=ROLE)
    # An existing mapping of the scope (made in the admin) is left as it is.
    ScopeRoleMapping.objects.get_or_create(scope=SCOPE, defaults={{"group": group}})


def remove_role(apps, schema_editor):
    apps.get_model("sso", "ScopeRoleMapping").objects.filter(scope=SCOPE, group__name=ROLE).delete()
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [
{dependencies}
    ]

    operations = [migrations.RunPython(create_role, remove_role)]
'''

TEMPLATE = """{{% extends "base_signed_in.html" %}}
{{% comment %}}
  The home page of the role {role}, served by navigation.views.role_home (written by
  `manage.py startrolehome`). It extends base_signed_in.html, which carries the lifecycle include:
  if you override the after_main block, keep {{{{ block.super }}}} in it (navigation.E001).
{{% endcomment %}}
{{% block title %}}{{{{ home.title }}}} – MindSphere Mobile Starter{{% endblock %}}
{{% block content %}}
<section class="card">
  <h1>Hello{{% if identity %}}, {{{{ identity.email }}}}{{% endif %}}</h1>
  <p>This is the home page of the role <strong>{{{{ home.role }}}}</strong>.</p>
  <dl class="facts">
    <dt>Tenant</dt><dd>{{{{ identity.tenant|default:"–" }}}}</dd>
    <dt>Role</dt><dd>{{{{ roles|join:", " }}}}</dd>
    <dt>Session ends</dt><dd><time datetime="{{{{ session_ends|date:'c' }}}}">{{{{ session_ends|date:"D H:i" }}}} UTC</time> ({{{{ session_ends|timeuntil }}}} left)</dd>
  </dl>
</section>
{{% endblock %}}
"""


def slug_for(role: str) -> str:
    """'Field Service' -> 'field_service' (URL name field_service_home, URL /home/field-service/)."""
    return "_".join(role.lower().split())


def icon_names() -> set[str]:
    return set(re.findall(r'id="icon-([\w-]+)"', get_template("navigation/icons.html").template.source))


def read_entries(data_file: Path) -> list[dict]:
    try:
        return registry.read_entries(data_file)
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from exc


def write_json_atomically(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2, ensure_ascii=False)
            file.write("\n")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:  # "x": never overwrite
            file.write(text)
    except FileExistsError as exc:
        raise CommandError(f"{path} exists; not overwriting it.") from exc


class Command(BaseCommand):
    help = (
        "Add a role with its home page: a data migration (group + scope mapping), a home page template "
        "that carries the lifecycle include, and an entry in navigation/role_homes.json (registry, menu, URL)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("role", help="The role (Django group) name, e.g. 'Maintenance': letters, digits, spaces.")
        parser.add_argument(
            "--scope",
            required=True,
            help="The MindSphere app scope that grants the role, without the app prefix: 'maintenance' "
            "for '{app}.maintenance'. Lowercase letters, digits, '_' and '-'.",
        )
        parser.add_argument("--icon", default="star", help="The menu icon, a symbol of navigation/icons.html (default: star).")
        parser.add_argument("--title", help="The menu label and page title (default: the role name).")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be written; write nothing.")
        # Where to write; tests point these at a temporary directory.
        parser.add_argument("--templates-dir", type=Path, help=SUPPRESS)
        parser.add_argument("--migrations-dir", type=Path, help=SUPPRESS)
        parser.add_argument("--data-file", type=Path, help=SUPPRESS)

    def handle(self, *args, **options) -> None:
        templates_dir = options["templates_dir"] or Path(settings.BASE_DIR) / "templates"
        migrations_dir = options["migrations_dir"] or Path(apps.get_app_config("navigation").path) / "migrations"
        data_file = options["data_file"] or registry.DATA_FILE

        entries = read_entries(data_file)
        role = self.validate_role(options["role"], entries)
        scope = self.validate_scope(options["scope"], entries)
        slug = self.validate_slug(slug_for(role), entries)
        icon = self.validate_icon(options["icon"])
        title = self.validate_title(options["title"] if options["title"] is not None else role)

        template_name = f"navigation/{slug}_home.html"
        template_path = templates_dir / template_name
        if template_path.exists():
            raise CommandError(f"{template_path} exists; not overwriting it. Remove it or choose another role name.")
        migration_name, dependencies = self.plan_migration(migrations_dir, slug)
        migration_path = migrations_dir / f"{migration_name}.py"
        migration = MIGRATION.format(
            role=role, scope=scope, dependencies="\n".join(f"        {dependency!r}," for dependency in dependencies)
        )
        template = TEMPLATE.format(role=role)
        entry = {"role": role, "slug": slug, "scope": scope, "title": title, "icon": icon, "template": template_name}
        home = registry.RoleHome(role=role, url_name=f"navigation:{slug}_home", template=template_name, title=title, slug=slug)

        if options["dry_run"]:
            self.stdout.write("Dry run: nothing written. This would:")
            self.stdout.write(f"  create {migration_path}\n")
            self.stdout.write(migration)
            self.stdout.write(f"  create {template_path}\n")
            self.stdout.write(template)
            self.stdout.write(f"  add to {data_file}:\n{json.dumps(entry, indent=2, ensure_ascii=False)}")
            return

        init = migrations_dir / "__init__.py"
        if not init.exists():
            write_new(init, "")
        write_new(migration_path, migration)
        write_new(template_path, template)
        write_json_atomically(data_file, [*entries, entry])  # last: the registry sees the role once all is there

        self.stdout.write(self.style.SUCCESS(f"Role {role!r} added:"))
        self.stdout.write(f"  {migration_path} (group {role!r}, scope {scope!r})")
        self.stdout.write(f"  {template_path}")
        self.stdout.write(f"  {data_file} (registry, menu item {title!r}, URL /{home.path}, URL name {home.url_name})")
        self.stdout.write("Next:")
        self.stdout.write("  python manage.py migrate navigation")
        self.stdout.write("  python manage.py check --database default")
        self.stdout.write("  restart the app (runserver restarts by itself)")
        self.stdout.write(f"  give people the app role '{scope}' in MindSphere (Developer Cockpit, app roles)")
        self.warn_about_app_role_limit(scope, entries)

    # --- validation ---------------------------------------------------------------------------

    def validate_role(self, role: str, entries: list[dict]) -> str:
        if not ROLE_NAME.fullmatch(role) or len(role) > ROLE_NAME_MAX:
            raise CommandError(
                f"Role name {role!r}: use letters, digits and single spaces (at most {ROLE_NAME_MAX} characters), "
                "e.g. 'Maintenance'."
            )
        taken = {home.role.lower() for home in registry.ROLE_HOMES}
        taken |= {name.lower() for item in menus.MENU for name in item.roles}
        taken |= {str(entry.get("role", "")).lower() for entry in entries}
        if role.lower() in taken:
            raise CommandError(f"The role {role!r} exists already.")
        if self.database_has(Group.objects.filter(name__iexact=role)):
            raise CommandError(f"The group {role!r} exists already in the database.")
        return role

    def validate_scope(self, scope: str, entries: list[dict]) -> str:
        try:
            scope_validator(scope)
        except ValidationError as exc:
            raise CommandError(f"Scope {scope!r}: {' '.join(exc.messages)}") from exc
        if len(scope) > SCOPE_MAX:
            raise CommandError(f"Scope {scope!r}: at most {SCOPE_MAX} characters.")
        if scope in self.known_scopes(entries):
            raise CommandError(f"The scope {scope!r} grants a role already.")
        if self.database_has(ScopeRoleMapping.objects.filter(scope=scope)):
            raise CommandError(f"The scope {scope!r} is mapped to a role in the database already.")
        return scope

    def validate_slug(self, slug: str, entries: list[dict]) -> str:
        if not registry.SLUG.fullmatch(slug):  # ROLE_NAME makes this hold; a guard for later changes
            raise CommandError(f"Cannot make a URL name from {slug!r}.")
        url_name = f"navigation:{slug}_home"
        taken = {home.url_name for home in registry.ROLE_HOMES} | {item.url_name for item in menus.MENU}
        taken |= {f"navigation:{entry.get('slug')}_home" for entry in entries}
        path = "/" + registry.RoleHome("", url_name, "", "", slug=slug).path
        try:
            resolve(path)
        except Resolver404:
            pass
        else:
            taken.add(url_name)
        if url_name in taken:
            raise CommandError(f"The URL name {url_name} or the URL {path} is taken; choose another role name.")
        return slug

    def validate_icon(self, icon: str) -> str:
        icons = icon_names()
        if icon not in icons:
            raise CommandError(f"Unknown icon {icon!r}; navigation/icons.html has: {', '.join(sorted(icons))}.")
        return icon

    def validate_title(self, title: str) -> str:
        title = " ".join(title.split())
        if not title or len(title) > TITLE_MAX:
            raise CommandError(f"The title must be 1 to {TITLE_MAX} characters.")
        return title

    def known_scopes(self, entries: list[dict]) -> set[str]:
        sso_roles = importlib.import_module(f"{SSO_ROLES_MIGRATION[0]}.migrations.{SSO_ROLES_MIGRATION[1]}")
        return set(sso_roles.MAPPINGS) | {str(entry.get("scope", "")) for entry in entries}

    def database_has(self, queryset) -> bool:
        """Whether the query finds a row; False when the database isn't there or migrated yet."""
        try:
            return queryset.exists()
        except DatabaseError:
            return False

    # --- the migration ------------------------------------------------------------------------

    def plan_migration(self, migrations_dir: Path, slug: str) -> tuple[str, list[tuple[str, str]]]:
        """The new migration's name and dependencies: sso's roles, and the latest navigation migration(s)."""
        files = migrations_dir.glob("*.py") if migrations_dir.is_dir() else []
        existing = sorted(path.stem for path in files if MIGRATION_FILE.fullmatch(path.name))
        for name in existing:
            if name.endswith(f"_role_{slug}"):
                raise CommandError(f"{migrations_dir / name}.py exists for this role; not writing another.")
        number = max((int(name[:4]) for name in existing), default=0)
        latest = [("navigation", name) for name in existing if int(name[:4]) == number]
        return f"{number + 1:04d}_role_{slug}", [SSO_ROLES_MIGRATION, *latest]

    def warn_about_app_role_limit(self, scope: str, entries: list[dict]) -> None:
        scopes = self.known_scopes(entries) | {scope}
        try:
            scopes |= set(ScopeRoleMapping.objects.values_list("scope", flat=True))
        except DatabaseError:
            pass
        if len(scopes) > MINDSPHERE_MAX_APP_ROLES:
            self.stdout.write(
                self.style.WARNING(
                    f"Note: the app now has {len(scopes)} scopes; MindSphere allows at most "
                    f"{MINDSPHERE_MAX_APP_ROLES} app roles per application."
                )
            )
