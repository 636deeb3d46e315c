"""The blocks' tags as a page renders them: roles, arguments, the shell, tenancy (no MindSphere here)."""

from __future__ import annotations

import re

import pytest
from django.template import Context, RequestContext, Template, TemplateSyntaxError
from django.test import Client
from django.utils import translation

from blocks.catalogue import BLOCKS, example_line
from tests.people import make_person, sign_in

pytestmark = pytest.mark.django_db


def render(source: str, request, **context) -> str:
    return Template("{% load blocks %}" + source).render(RequestContext(request, context))


@pytest.fixture
def user_request(rf):
    def make(tenant: str = "acme", kind: str = "user", subtenant: str = ""):
        request = rf.get("/")
        request.user = make_person(tenant, kind, subtenant=subtenant)
        request.session = {}
        return request

    return make


def test_a_mindsphere_block_renders_its_shell_with_its_arguments_in_the_url(user_request):
    html = render('{% block_chart asset="abc" variable="Environment.temperature" range="7d" %}', user_request())
    assert 'id="block-chart-1"' in html and 'id="block-chart-1-data"' in html
    url = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert url == "/blocks/chart/?asset=abc&variable=Environment.temperature&range=7d"
    assert 'href="/assets/abc/"' in html and "assets/chart." in html  # the way on; its stylesheet


def test_two_blocks_on_a_page_have_their_own_regions_and_one_stylesheet(user_request):
    html = render('{% block_asset_list %}{% block_asset_list query="Pump" size=3 %}', user_request())
    assert re.findall(r'<div id="(block-asset-list-\d-data)"', html) == [
        "block-asset-list-1-data",
        "block-asset-list-2-data",
    ]
    assert html.count("assets/assets.") == 1
    assert "/blocks/asset_list/?query=Pump&amp;size=3" in html


def test_defaults_are_left_out_of_the_url(user_request):
    assert 'hx-get="/blocks/asset_list/"' in render("{% block_asset_list size=5 %}", user_request())


@pytest.mark.parametrize(
    "source",
    [
        "{% block_asset_list colour='red' %}",
        "{% block_asset_list 'pump' %}",
        "{% block_link %}x{% block_link 'a' 'b' %}",
        "{% block_chart asset='a' asset='b' %}",
    ],
)
def test_an_argument_the_block_does_not_take_fails_when_the_template_loads(source):
    with pytest.raises(TemplateSyntaxError, match="block_"):
        Template("{% load blocks %}" + source)


def test_a_value_known_only_at_run_time_is_said_in_the_blocks_place(user_request):
    request = user_request()
    html = render("{% block_chart asset=asset range=span %}", request, asset="abc", span="forever")
    assert 'role="alert"' in html and "cannot be shown: range: Unknown value “forever”" in html
    with translation.override("de"):
        assert "kann nicht angezeigt werden" in render("{% block_chart asset='a' range=r %}", request, r="x")


def test_a_missing_argument_is_said_too(user_request):
    assert "“asset” is missing" in render("{% block_export %}", user_request())


@pytest.mark.parametrize("name", ["mapping_summary", "people"])
def test_admin_blocks_render_nothing_for_a_user(user_request, name):
    assert render(f"{{% block_{name} %}}", user_request()).strip() == ""


def test_blocks_render_nothing_for_anonymous_people_or_without_a_request(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    for block in BLOCKS.values():
        line = example_line(block, {"asset": "abc"})
        assert render(line, request).strip() == "", line
        assert Template("{% load blocks %}" + line).render(Context({})).strip() == ""


def test_asset_blocks_render_nothing_for_roles_without_the_asset_pages(user_request, settings):
    settings.ASSETS_ROLES = "Admin"
    assert render('{% block_asset_list %}{% block_chart asset="a" %}', user_request()).strip() == ""


def test_the_link_block_shows_only_pages_the_person_may_open(user_request):
    line = '{% block_link "tenantadmin:roles" title="Roles" icon="people" %}'
    assert render(line, user_request()).strip() == ""
    html = render(line, user_request("acme", "admin"))
    assert 'href="/manage/roles/"' in html and "#icon-people" in html and "<span>Roles</span>" in html


def test_the_admin_home_is_made_of_blocks_of_its_own_tenant(client: Client):
    make_person("globex", "admin", email="someone@globex.example")
    make_person("acme", "user", email="colleague@acme.example")
    sign_in(client, make_person("acme", "admin"))
    home = client.get("/home/admin/").content.decode()
    assert "Scopes and roles of acme" in home and "People of acme" in home and "Your fleet" in home
    assert "colleague@" in home and "globex" not in home
    assert 'hx-get="/blocks/asset_list/"' in home


def test_a_subtenants_person_sees_no_tenant_blocks(client: Client):
    sign_in(client, make_person("acme", "user", subtenant="windpark-north"))
    home = client.get("/home/user/").content.decode()
    assert "Your fleet" not in home and "People of" not in home
    assert 'hx-get="/blocks/asset_list/"' in home  # their assets: the gateway scopes them to their subtenant


def test_the_people_block_shows_a_few_and_links_everyone(client: Client):
    for number in range(7):
        make_person("acme", "user", email=f"p{number}@acme.example")
    sign_in(client, make_person("acme", "admin"))
    home = client.get("/home/admin/").content.decode()
    people = re.search(r"People of acme</h2>(.*?)</section>", home, re.S).group(1)
    assert people.count("<li>") == 5 and 'href="/manage/roles/#people">Show everyone' in people


def test_a_region_of_a_block_the_person_may_not_see_is_nothing(client: Client):
    sign_in(client, make_person("acme", "user"), tokens=True)
    client.logout()
    sign_in(client, make_person("acme", "norole", email="nobody@acme.example"), tokens=True)
    assert client.get("/blocks/asset_list/", headers={"HX-Request": "true"}).content == b""
    assert client.get("/blocks/asset_list/").status_code == 403
    assert client.get("/blocks/nothing/").status_code == 404
    assert client.get("/blocks/people/").status_code == 404  # read from the database: it has no region


def test_an_anonymous_region_request_goes_to_sign_in(client: Client):
    assert client.get("/blocks/asset_list/").status_code == 302
