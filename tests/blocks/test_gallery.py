"""The block gallery (/blocks/): the app's operators, or everyone signed in while DEBUG is on; every block with its line."""

from __future__ import annotations

from html import unescape

import pytest
from django.conf import settings as django_settings
from django.test import Client

from blocks.catalogue import BLOCKS
from tests.people import make_person, sign_in

pytestmark = pytest.mark.django_db


def test_people_who_are_not_operators_are_refused(client: Client, settings):
    settings.DEBUG = False
    sign_in(client, make_person("acme", "admin"))
    response = client.get("/blocks/")
    assert response.status_code == 403 and "for the app&#x27;s operators" in response.content.decode()


def test_anonymous_people_go_to_the_login_page(client: Client, settings):
    settings.DEBUG = True
    assert client.get("/blocks/").status_code == 302


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "operator"])
def test_every_block_with_the_line_to_paste(client: Client, settings, debug):
    settings.DEBUG = debug
    person = make_person("acme", "admin")
    person.is_staff = not debug  # an operator (sso.roles: admins of MINDSPHERE_OPERATOR_TENANTS)
    person.save()
    sign_in(client, person)
    page = unescape(client.get("/blocks/").content.decode())
    for block in BLOCKS.values():
        assert f"{{% {block.tag}" in page, block.name
    # No MindSphere session here: the asset blocks show the placeholder's line (and would say "not found").
    assert '{% block_chart asset="ASSET-ID" variable="Environment.temperature" range="7d" %}' in page
    assert '{% block_link "assets:list" title=_("Browse your assets") icon="grid" %}' in page
    assert 'id="block-asset-list-' in page and "Scopes and roles of acme" in page  # live, not a picture


def test_in_german(client: Client, settings):
    settings.DEBUG = True
    sign_in(client, make_person("acme", "user"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "de"
    page = client.get("/blocks/").content.decode()
    assert "Bausteine für Startseiten der Rollen" in page and "Sie haben keine seiner Rollen" in page
