"""One style of error page (project/errors.py, templates/errors/layout.html): 400, 403, 404, 500, CSRF."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
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


# --- the database down: 503, not 500 (the real outage: tests/test_faults.py) ------------------------


def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


urlpatterns = [path("db-down/", database_down)]
handler500 = "project.errors.server_error"


@pytest.fixture
def db_down_client(settings, db) -> Client:
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


def test_a_page_while_the_database_is_down_gets_the_503_page(db_down_client):
    response = db_down_client.get("/db-down/?range=7d")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    html = response.content.decode()
    assert_error_page(html, "503", "The app is briefly unavailable")
    assert "You are still signed in" in html and 'href="/db-down/?range=7d"' in html
    assert "MindSphere is not reachable" not in html


@pytest.mark.parametrize("headers", [{"HX-Request": "true"}, {"Accept": "application/json"}], ids=["htmx", "json"])
def test_htmx_and_json_while_the_database_is_down_get_a_503_the_include_tells_apart(db_down_client, headers):
    response = db_down_client.get("/db-down/", headers=headers)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["error"] == errors.APP_UNAVAILABLE != "unavailable"  # "unavailable": MindSphere's


def test_other_errors_stay_500(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
