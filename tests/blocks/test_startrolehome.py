"""`manage.py startrolehome`: one entry in navigation/homes.py and one template make a working role page."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.template import Context, engines
from django.template.loader_tags import BlockNode, ExtendsNode
from django.utils import timezone, translation

from navigation import homes
from sso.session import SessionIdentity

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of navigation/homes.py and an empty templates directory to write into."""
    shutil.copy(ROOT / "navigation" / "homes.py", tmp_path / "homes.py")
    return tmp_path


@pytest.fixture
def start(copy):
    def run(*args: str) -> str:
        out = StringIO()
        call_command("startrolehome", *args, homes_file=copy / "homes.py", templates_dir=copy / "templates", stdout=out)
        return out.getvalue()

    return run


def load_homes(path: Path, monkeypatch):
    spec = importlib.util.spec_from_file_location("copied_homes", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_adds_one_declaration_and_one_template(start, copy, monkeypatch):
    output = start("Field Service", "--scope", "field-service", "--icon", "grid", "--title", "Field")
    declared = load_homes(copy / "homes.py", monkeypatch).ROLE_HOMES
    assert [home.role for home in declared] == [*(home.role for home in homes.ROLE_HOMES), "Field Service"]
    new = declared[-1]
    assert (new.scope, new.title, new.icon, new.context) == ("field-service", "Field", "grid", "")
    template = (copy / "templates" / "navigation" / "homes" / "field_service.html").read_text()
    assert template.startswith('{% extends "base_signed_in.html" %}')
    assert "/home/field-service/" in output and "migrate" in output


# --- the written page is the User home page's layout -----------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
USER_HOME = ROOT / "navigation" / "templates" / "navigation" / "homes" / "user.html"
SENTENCES = {
    "en": "\n  <p>This is the home page of the role <strong>User</strong>.</p>",
    "de": "\n  <p>Dies ist die Startseite der Rolle <strong>User</strong>.</p>",
}


def page_of(source: str, rf, *, identity: SessionIdentity | None, roles: list[str], ends: datetime) -> dict:
    """The parent and every block of a home page template, rendered as the User home's view would."""
    template = engines["django"].from_string(source).template
    request = rf.get("/home/user/")
    request.user = User.objects.create_user(f"person-{User.objects.count()}")
    request.user.groups.add(*Group.objects.filter(name__in=roles))
    context = Context(
        {
            "request": request,
            "user": request.user,
            "identity": identity,
            "roles": roles,
            "session_ends": ends,
            "home": homes.role_home_for({"User"}),
        }
    )
    extends = template.nodelist.get_nodes_by_type(ExtendsNode)
    with context.bind_template(template):
        blocks = {node.name: node.render(context) for node in template.nodelist.get_nodes_by_type(BlockNode)}
    return {"extends": [node.parent_name.var for node in extends], **blocks}


@pytest.mark.parametrize("language", SENTENCES)
@pytest.mark.parametrize(
    ("identity", "roles"),
    [
        (SessionIdentity("first.last@acme.example", "acme"), ["User"]),
        (None, ["User"]),
        (SessionIdentity("first.last@acme.example", "acme"), ["Unmapped"]),  # no asset pages: no link to them
    ],
    ids=["mindsphere", "local", "no-assets"],
)
def test_the_written_page_is_the_user_home_with_one_sentence_more(start, copy, rf, db, language, identity, roles):
    """Same layout, app-bar title, blocks, filters (wrappable e-mail, local time) as homes/user.html."""
    start("Field Service", "--scope", "field-service")
    written = (copy / "templates" / "navigation" / "homes" / "field_service.html").read_text()
    Group.objects.get_or_create(name="Unmapped")
    ends = timezone.now() + timedelta(hours=12, seconds=30)  # the time left reads the same for 30 s
    with translation.override(language), timezone.override(BERLIN):  # the browser's zone (webapp.localtime)
        ours = page_of(written, rf, identity=identity, roles=roles, ends=ends)
        theirs = page_of(USER_HOME.read_text(), rf, identity=identity, roles=roles, ends=ends)
    assert SENTENCES[language] in ours["content"]
    assert {**ours, "content": ours["content"].replace(SENTENCES[language], "")} == theirs
    assert ("first.last@<wbr>acme<wbr>.example" in ours["content"]) == (identity is not None)
    assert re.search(r"CES?T</time>", ours["content"]) and "UTC" not in ours["content"]  # not a fixed label


def test_dry_run_writes_nothing(start, copy):
    before = (copy / "homes.py").read_text()
    output = start("Maintenance", "--scope", "maintenance", "--dry-run")
    assert "RoleHome('Maintenance'" in output
    assert (copy / "homes.py").read_text() == before and not (copy / "templates").exists()


@pytest.mark.parametrize("role", ["", "Main-tenance", "  Maintenance", "Field  Service", "x" * 151, "Admin", "user"])
def test_bad_or_existing_role_names_are_refused(start, copy, role):
    with pytest.raises(CommandError):
        start(role, "--scope", "maintenance")
    assert not (copy / "templates").exists()


@pytest.mark.parametrize("scope", ["", "Maintenance", "main tenance", "-x", "_x", "a.b", "admin", "user", "a" * 51])
def test_bad_or_existing_scopes_are_refused(start, copy, scope):
    with pytest.raises(CommandError):
        start("Maintenance", "--scope", scope)


def test_an_unknown_icon_is_refused(start):
    with pytest.raises(CommandError, match="Unknown icon"):
        start("Maintenance", "--scope", "maintenance", "--icon", "rocket")


def test_an_existing_template_is_not_overwritten(start, copy):
    existing = copy / "templates" / "navigation" / "homes" / "maintenance.html"
    existing.parent.mkdir(parents=True)
    existing.write_text("mine")
    with pytest.raises(CommandError, match="not overwriting"):
        start("Maintenance", "--scope", "maintenance")
    assert existing.read_text() == "mine"


def test_a_homes_file_without_the_marker_is_left_alone(start, copy):
    (copy / "homes.py").write_text("ROLE_HOMES = []\n")
    with pytest.raises(CommandError, match="by hand"):
        start("Maintenance", "--scope", "maintenance")
    assert (copy / "homes.py").read_text() == "ROLE_HOMES = []\n"


def test_more_than_five_app_roles_are_flagged(start, monkeypatch):
    extra = [homes.RoleHome(f"Role {n}", scope=f"role{n}", title="x") for n in range(3)]
    monkeypatch.setattr(homes, "ROLE_HOMES", [*homes.ROLE_HOMES, *extra])
    assert "at most 5 app roles" in start("Maintenance", "--scope", "maintenance")


CHECK_THE_PAGE = """
import django; django.setup()
from django.core.management import call_command
from django.contrib.auth.models import User, Group
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()  # lets the test client's host in
from sso.models import ScopeRoleMapping
call_command("migrate", verbosity=0)
call_command("check", fail_level="ERROR")
assert ScopeRoleMapping.objects.get(scope="maintenance").group.name == "Maintenance"
user = User.objects.create_user("tech")
user.groups.add(Group.objects.get(name="Maintenance"))
client = Client()
client.force_login(user)
assert client.get("/").headers["Location"] == "/home/maintenance/"
page = client.get("/home/maintenance/").content.decode()
assert "home page of the role <strong>Maintenance</strong>" in page, page
assert 'id="mindsphere-lifecycle"' in page and 'href="/home/maintenance/"' in page
# Every role with a home page has the asset pages and the Account page, in the menu too; not a tenant admin's page.
assert 'href="/assets/"' in page and 'href="/account/"' in page and 'href="/manage/roles/"' not in page, page
statuses = [client.get(path).status_code for path in ("/assets/exports/", "/account/", "/manage/roles/")]
assert statuses == [200, 200, 403], statuses
# Past the role check to the token check, which signs out: no MindSphere session here.
assert client.get("/assets/").status_code == 302
print("served")
"""


def test_one_command_makes_a_working_page(tmp_path):
    """In a copy of the project: the command, `migrate`, and the new role's person lands on the page."""
    project = tmp_path / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "tests", "var", "media", "staticfiles", "*.sqlite3", "__pycache__"
        ),
    )
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DEBUG="1", DJANGO_SETTINGS_MODULE="project.settings", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    run = dict(cwd=project, env=env, capture_output=True, text=True, timeout=300)
    added = subprocess.run(
        [sys.executable, "manage.py", "startrolehome", "Maintenance", "--scope", "maintenance"], **run
    )
    assert added.returncode == 0, added.stderr
    served = subprocess.run([sys.executable, "-c", CHECK_THE_PAGE], **run)
    assert served.returncode == 0 and "served" in served.stdout, served.stderr


# --- --blocks ----------------------------------------------------------------------------------------

EVERY_BLOCK = "fleet,assets,latest,chart,export,link,mapping,people"


def written_blocks(copy: Path, slug: str = "field_service") -> list[str]:
    template = (copy / "templates" / "navigation" / "homes" / f"{slug}.html").read_text()
    return re.findall(r"^\{% block_.*%\}$", template, re.M)


def test_the_default_blocks_are_the_user_homes(start, copy):
    start("Field Service", "--scope", "field-service")
    assert written_blocks(copy) == ["{% block_fleet_overview %}", "{% block_asset_list %}"]


def test_every_block_in_the_order_given(start, copy):
    output = start(
        "Field Service",
        "--scope",
        "field-service",
        "--blocks",
        EVERY_BLOCK,
        "--asset",
        "abc",
        "--aspect",
        "Environment",
    )
    assert written_blocks(copy) == [
        "{% block_fleet_overview %}",
        "{% block_asset_list %}",
        '{% block_latest_values asset="abc" aspect="Environment" %}',
        '{% block_chart asset="abc" %}',
        '{% block_export asset="abc" %}',
        '{% block_link "assets:list" title=_("Browse your assets") icon="grid" %}',
        "{% block_mapping_summary %}",
        "{% block_people %}",
    ]
    assert "'mapping_summary' shows only to the role Admin" in output and "'people' shows only" in output
    engines["django"].from_string((copy / "templates" / "navigation" / "homes" / "field_service.html").read_text())


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--blocks", "fleet,charts"], "unknown block 'charts'; the blocks are: fleet, assets, latest, chart"),
        (["--blocks", "chart"], "The block 'chart' shows one asset: give it with --asset."),
        (["--blocks", "latest", "--asset", "abc"], "give it with --aspect"),
        (["--blocks", "export", "--asset", "a b"], "--asset: “a b” is not an asset id."),
        (["--blocks", " , "], "name at least one block"),
    ],
)
def test_blocks_it_cannot_write_are_refused_and_nothing_is_written(start, copy, options, says):
    with pytest.raises(CommandError, match=re.escape(says)):
        start("Field Service", "--scope", "field-service", *options)
    assert not (copy / "templates").exists() and "RoleHome('Field Service'" not in (copy / "homes.py").read_text()
