"""`manage.py startrolehome Maintenance --scope maintenance --blocks fleet,assets`: a new role with its home page.

It adds one entry to navigation/homes.py (the role, its scope, title and icon: URL, menu item and,
at the next `migrate`, the group and its scope mapping follow from it) and writes the page's
template (startrolehome.html beside this file, laid out as the User home page, with one line per
chosen block of blocks/catalogue.py), which extends base_signed_in.html and so carries the
lifecycle include. Without --blocks the page has the User home's blocks: the fleet overview and
the asset list.
"""

from __future__ import annotations

import re
from argparse import SUPPRESS
from pathlib import Path

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from blocks.arguments import icon_names
from blocks.catalogue import BLOCKS, Block, by_short_name, example_line
from navigation import homes
from sso.models import scope_validator
from sso.roles import TENANT_ADMIN_ROLE

ROLE_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
ROLE_NAME_MAX = 150  # django.contrib.auth Group.name
SCOPE_MAX = 50  # sso ScopeRoleMapping.scope
TITLE_MAX = 50
MARKER = "    # `manage.py startrolehome` adds new roles above this line.\n"
MINDSPHERE_MAX_APP_ROLES = 5

# The page it writes: the User home page's layout with the role's title and the blocks (a test compares the two).
TEMPLATE = Path(__file__).with_suffix(".html")
BLOCKS_LINE = "{# the blocks #}\n"  # where the chosen blocks go, one line each
DEFAULT_BLOCKS = "fleet,assets"  # the User home's
# Arguments a block needs that the command takes as options; the others are written with the catalogue's examples.
FROM_OPTIONS = {"asset": "asset", "aspect": "aspect"}
EXAMPLES_WRITTEN = {"url_name", "title", "icon"}  # so a link block says where it goes


class Command(BaseCommand):
    help = (
        "Add a role with its home page: an entry in navigation/homes.py and a template that extends "
        "base_signed_in.html."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("role", help="The role (Django group) name, e.g. 'Maintenance': letters, digits, spaces.")
        parser.add_argument(
            "--scope",
            required=True,
            help="The MindSphere app scope that grants the role, without the app prefix: 'maintenance' "
            "for '{app}.maintenance'. Lowercase letters, digits, '_' and '-'.",
        )
        parser.add_argument(
            "--icon", default="star", help="The menu icon, a symbol of navigation/icons.html (default: star)."
        )
        parser.add_argument("--title", help="The menu label and page title (default: the role name).")
        parser.add_argument(
            "--blocks",
            default=DEFAULT_BLOCKS,
            help=f"The page's blocks, separated by commas, in order (default: {DEFAULT_BLOCKS}); one of: "
            + ", ".join(block.short or block.name for block in BLOCKS.values())
            + ". See /blocks/ (the gallery) and docs/role-home-pages.md.",
        )
        parser.add_argument("--asset", help="The asset id of the blocks that show one asset (latest, chart, export).")
        parser.add_argument("--aspect", help="The aspect of the latest values block, e.g. 'Environment'.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be written; write nothing.")
        # Where to write; tests point these at a copy.
        parser.add_argument("--homes-file", type=Path, help=SUPPRESS)
        parser.add_argument("--templates-dir", type=Path, help=SUPPRESS)

    def handle(self, *args, **options) -> None:
        home = self.role_home(options)
        lines = self.block_lines(options)
        homes_file, source, template_path = self.targets(home, options)
        entry = f"    RoleHome({home.role!r}, scope={home.scope!r}, title=_({home.title!r}), icon={home.icon!r}),\n"
        template = TEMPLATE.read_text(encoding="utf-8").replace(BLOCKS_LINE, "".join(line + "\n" for line in lines))
        if options["dry_run"]:
            self.stdout.write(f"Dry run: nothing written. This would add to {homes_file}:\n{entry}")
            self.stdout.write(f"and create {template_path}:\n{template}")
            return
        template_path.parent.mkdir(parents=True, exist_ok=True)
        with template_path.open("x", encoding="utf-8") as file:  # "x": never overwrite
            file.write(template)
        homes_file.write_text(source.replace(MARKER, entry + MARKER), encoding="utf-8")
        self.report(home, homes_file, template_path)

    def block_lines(self, options: dict) -> list[str]:
        """One template line per block of --blocks, with --asset and --aspect where a block needs them."""
        chosen = [name.strip() for name in options["blocks"].split(",") if name.strip()]
        if not chosen:
            raise CommandError("--blocks: name at least one block.")
        lines = []
        for short in chosen:
            block = by_short_name(short)
            if block is None:
                names = ", ".join(other.short or other.name for other in BLOCKS.values())
                raise CommandError(f"--blocks: unknown block {short!r}; the blocks are: {names}.")
            lines.append(example_line(block, self.values_for(block, options), examples=False))
            self.warn_about_roles(block)
        return lines

    def values_for(self, block: Block, options: dict) -> dict[str, str]:
        values = {}
        for argument in block.arguments:
            if argument.name in FROM_OPTIONS:
                given = options[FROM_OPTIONS[argument.name]]
                if not given:
                    short = block.short or block.name
                    raise CommandError(
                        f"The block {short!r} shows one {argument.name}: give it with --{argument.name}."
                    )
                try:
                    values[argument.name] = str(argument.clean(given))
                except ValidationError as exc:
                    raise CommandError(f"--{argument.name}: {' '.join(exc.messages)}") from exc
            elif argument.name in EXAMPLES_WRITTEN:
                values[argument.name] = argument.example
        return values

    def warn_about_roles(self, block: Block) -> None:
        roles = set(block.roles()) if block.roles is not None else None
        if roles is not None and roles <= {TENANT_ADMIN_ROLE}:  # the new role is not among them
            self.stdout.write(
                self.style.WARNING(f"Note: the block {block.name!r} shows only to the role Admin; others see nothing.")
            )

    def targets(self, home: homes.RoleHome, options: dict) -> tuple[Path, str, Path]:
        # homes.py with its text, and the template to write: refused before anything is written.
        navigation_dir = Path(apps.get_app_config("navigation").path)
        homes_file = options["homes_file"] or navigation_dir / "homes.py"
        template_path = (options["templates_dir"] or navigation_dir / "templates") / home.template
        if template_path.exists():
            raise CommandError(f"{template_path} exists; not overwriting it. Remove it or choose another role name.")
        source = homes_file.read_text(encoding="utf-8")
        if source.count(MARKER) != 1:
            raise CommandError(f"{homes_file} has lost the line {MARKER.strip()!r}; add the entry by hand.")
        return homes_file, source, template_path

    def role_home(self, options: dict) -> homes.RoleHome:
        title = options["title"] if options["title"] is not None else options["role"]
        return homes.RoleHome(
            self.validate_role(options["role"]),
            scope=self.validate_scope(options["scope"]),
            title=self.validate_title(title),
            icon=self.validate_icon(options["icon"]),
        )

    def report(self, home: homes.RoleHome, homes_file: Path, template_path: Path) -> None:
        self.stdout.write(self.style.SUCCESS(f"Role {home.role!r} added:"))
        self.stdout.write(f"  {homes_file}: menu item {home.title!r}, URL /{home.path}, URL name {home.url_name}")
        self.stdout.write(f"  {template_path}")
        self.stdout.write("Next:")
        self.stdout.write("  python manage.py migrate   (creates the group and maps the scope to it)")
        self.stdout.write("  restart the app (runserver restarts by itself)")
        self.stdout.write(f"  give people the app role '{home.scope}' in MindSphere (Developer Cockpit, app roles)")
        roles = len(homes.ROLE_HOMES) + 1
        if roles > MINDSPHERE_MAX_APP_ROLES:
            self.stdout.write(
                self.style.WARNING(
                    f"Note: the app now has {roles} roles; MindSphere allows at most "
                    f"{MINDSPHERE_MAX_APP_ROLES} app roles per application."
                )
            )

    def validate_role(self, role: str) -> str:
        if not ROLE_NAME.fullmatch(role) or len(role) > ROLE_NAME_MAX:
            raise CommandError(
                f"Role name {role!r}: use letters, digits and single spaces (at most {ROLE_NAME_MAX} characters), "
                "e.g. 'Maintenance'."
            )
        slug = homes.RoleHome(role, "", "").slug
        if any(home.role.lower() == role.lower() or home.slug == slug for home in homes.ROLE_HOMES):
            raise CommandError(f"The role {role!r} exists already.")
        return role

    def validate_scope(self, scope: str) -> str:
        try:
            scope_validator(scope)
        except ValidationError as exc:
            raise CommandError(f"Scope {scope!r}: {' '.join(exc.messages)}") from exc
        if len(scope) > SCOPE_MAX:
            raise CommandError(f"Scope {scope!r}: at most {SCOPE_MAX} characters.")
        if any(home.scope == scope for home in homes.ROLE_HOMES):
            raise CommandError(f"The scope {scope!r} grants a role already.")
        return scope

    def validate_icon(self, icon: str) -> str:
        icons = set(icon_names())
        if icon not in icons:
            raise CommandError(f"Unknown icon {icon!r}; navigation/icons.html has: {', '.join(sorted(icons))}.")
        return icon

    def validate_title(self, title: str) -> str:
        title = " ".join(title.split())
        if not title or len(title) > TITLE_MAX:
            raise CommandError(f"The title must be 1 to {TITLE_MAX} characters.")
        return title
