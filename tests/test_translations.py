"""German and English: every text a person reads is marked for translation, and German is complete."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
APP_TEMPLATE_DIRS = [
    "templates",
    "sso/templates",
    "navigation/templates",
    "assets/templates",
    "tenantadmin/templates",
    "webapp/templates",
]
# Attributes a person reads (or hears) that must be translated like text.
READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"{]*)"')
NOT_WORDS = {"UTC"}  # a time zone's name, the same in every language


def app_templates() -> list[Path]:
    return sorted(path for folder in APP_TEMPLATE_DIRS for path in (ROOT / folder).rglob("*.html"))


def unmarked_text(source: str) -> list[str]:
    """Words a person would read that no translate tag covers: text outside tags, and read attributes.

    Template tags and variables become a placeholder; translate blocks and comments are dropped;
    then the HTML tags are taken out of what is left.
    """
    parts, depth, in_class = [], 0, False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents else ""
            if word in ("blocktranslate", "blocktrans", "comment") or token.contents == "block body_class":
                depth += 1  # body_class holds CSS class names, not text
            elif word in ("endblocktranslate", "endblocktrans", "endcomment") or (word == "endblock" and in_class):
                depth -= 1
            in_class = token.contents == "block body_class"
            parts.append("§")
        elif token.token_type == TokenType.VAR:
            parts.append("§")
        elif token.token_type == TokenType.TEXT and depth == 0:
            parts.append(token.contents)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", "".join(parts), flags=re.S)
    attributes = READ_ATTRIBUTES.findall(html)
    visible = re.sub(r"<[^>]*>", " ", html)
    words = attributes + re.findall(r"[A-Za-zÄÖÜäöüß]{2,}", visible)
    return [text for text in words if re.search(r"[A-Za-z]{2,}", text) and text not in NOT_WORDS]


@pytest.mark.parametrize("template", app_templates(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_template_text_is_marked_for_translation(template):
    assert unmarked_text(template.read_text()) == []


def test_the_check_finds_unmarked_text():
    assert unmarked_text('{% load i18n %}<p>{% translate "Fine" %}</p><p>Forgotten</p><input placeholder="Also">') == [
        "Also",
        "Forgotten",
    ]


def test_the_german_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.untranslated_entries() == [] and catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) > 100


def test_makemessages_finds_nothing_new(tmp_path):
    """Every marked string is in the German catalogue: run makemessages on a copy and compare."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "tests",
            "var",
            "media",
            "staticfiles",
            "test-artifacts",
            "*.sqlite3",
            "__pycache__",
            "*.mo",
        ),
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "de",
            "--ignore",
            "emulator/*",
            "--ignore",
            "bench/*",
            "-v0",
        ],
        cwd=copy,
        env=env,
        check=True,
    )
    made = {entry.msgid for entry in polib.pofile(str(copy / "locale/de/LC_MESSAGES/django.po")) if not entry.obsolete}
    committed = {entry.msgid for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete}
    assert made - committed == set(), "run `manage.py makemessages -l de` and translate the new strings"


# --- the language a person gets -------------------------------------------------------------------


def test_the_browser_language_chooses_german(client, db):
    page = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}).content.decode()
    assert (
        '<html lang="de">' in page and "Anmelden" in page and "Geben Sie den Namen Ihres MindSphere-Tenants ein" in page
    )


def test_english_by_default(client, db):
    page = client.get("/", headers={"Accept-Language": "fr"}).content.decode()
    assert '<html lang="en">' in page and "Sign in" in page


def test_the_account_page_switches_the_language_and_keeps_it(client, db):
    from tests.people import make_person

    client.force_login(make_person("acme", "user"))
    page = client.get("/account/", headers={"Accept-Language": "en"})
    assert "Language of this app" in page.content.decode()
    response = client.post("/account/language/", {"language": "de", "next": "/account/"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert response.cookies["django_language"]["httponly"]
    german = client.get("/account/", headers={"Accept-Language": "en"}).content.decode()  # the cookie wins
    assert "Überall abmelden" in german and "Sprache dieser App" in german
    assert "Die App ist jetzt auf Deutsch." in german  # confirmed once, in the new language
    assert "Die App ist jetzt" not in client.get("/account/").content.decode()


def test_messages_in_python_are_translated(client, db):
    response = client.post("/accounts/mindsphere/login/", {"tenant": "bad tenant!"}, headers={"Accept-Language": "de"})
    assert response.status_code == 400 and "Ein Tenant-Name hat 2 bis 63 Buchstaben" in response.content.decode()
