"""One style of error page (project/errors.py, templates/errors/layout.html): 400, 403, 404, 500, CSRF."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from project import errors

MENU = 'aria-label="Main"'


@pytest.fixture
def signed_in_user(client, db) -> Client:
    user = User.objects.create_user(username="someone")
    user.groups.add(Group.objects.get(name="User"))
    client.force_login(user)
    return client


def assert_error_page(html: str, code: str, heading: str) -> None:
    assert f"Error {code}" in html and heading in html
    assert '<main id="main"' in html and 'class="card error-page"' in html
    assert 'class="button primary"' in html  # the next step


def test_404_for_anonymous_people_offers_the_login_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_error_page(html, "404", "Page not found")
    assert MENU not in html and "mindsphere-lifecycle" not in html
    assert "Go back, or sign in on the Login page." in html


def test_404_for_signed_in_people_has_the_menu(signed_in_user):
    html = signed_in_user.get("/no-such-page/").content.decode()
    assert_error_page(html, "404", "Page not found")
    assert MENU in html and "Go back, or open your home page." in html


def test_403_of_a_page_for_another_role_has_the_menu(signed_in_user):
    response = signed_in_user.get("/manage/roles/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_error_page(html, "403", "This page is not for your role")
    assert MENU in html and "ask your tenant administrator" in html


def test_a_bad_host_gets_the_styled_400(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_error_page(response.content.decode(), "400", "The app did not understand this address")


def test_a_failed_csrf_check_gets_the_app_s_403(db):
    response = Client(enforce_csrf_checks=True).post("/sso/logout/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_error_page(html, "403", "This form has expired")
    assert "Reload the page and send it again." in html


def test_500_renders_without_the_request_or_the_database(rf, db):
    with CaptureQueriesContext(connection) as queries:
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 500 and not queries.captured_queries
    assert_error_page(response.content.decode(), "500", "Something went wrong")


def test_500_falls_back_to_plain_html_when_its_template_fails(rf, monkeypatch):
    def broken(name):
        raise RuntimeError("no template engine")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(rf.get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


def test_error_pages_speak_german(client, db):
    with translation.override("de"):
        response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="de")
    html = response.content.decode()
    assert 'lang="de"' in html and "Error 404" not in html
