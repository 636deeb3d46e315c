"""One policy for anonymous, signed-out, forbidden and unavailable: per kind of request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

KINDS = {
    "browser": {},
    "htmx": {"HX-Request": "true", "HX-Current-URL": "http://testserver/assets/?q=pump"},
    "json": {"Accept": "application/json"},
}
ENDED = "Your MindSphere session has ended"


def signed_in(client, *roles: str) -> User:
    """A person whose Django session exists but has no token record: their MindSphere session is over."""
    user = User.objects.create_user(username="someone")
    user.groups.add(*Group.objects.filter(name__in=roles))
    client.force_login(user)
    return user


def follow_messages(client) -> str:
    return client.get("/").content.decode()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", ["/sso/session/", "/assets/", "/home/user/"])
def test_someone_never_signed_in_goes_to_sign_in_without_being_told_their_session_ended(db, client, kind, path):
    response = client.get(path, headers=KINDS[kind])
    if kind == "browser":
        assert response.status_code == 302 and response.headers["Location"].startswith("/?next=")
    elif kind == "htmx":
        assert response.headers["HX-Redirect"] == "/?next=%2Fassets%2F%3Fq%3Dpump"
        assert response.status_code == (401 if path == "/sso/session/" else 200)
    else:
        assert response.status_code == 401 and response.json()["error"] == "login_required"
    assert {"HX-Request", "Accept"} <= {value.strip() for value in response.headers["Vary"].split(",")}
    assert ENDED not in follow_messages(client)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", ["/sso/session/", "/assets/"])
def test_an_ended_session_signs_out_and_says_so(db, client, kind, path):
    signed_in(client, "User")
    response = client.get(path, headers=KINDS[kind])
    if kind == "browser":
        assert response.status_code == 302 and response.headers["Location"].startswith("/?next=")
    elif kind == "htmx":
        assert response.headers["HX-Redirect"].startswith("/?next=")
        assert response.status_code == (401 if path == "/sso/session/" else 200)
    else:
        assert response.status_code == 401 and response.json()["error"] == "signed_out"
    assert "_auth_user_id" not in client.session
    if kind != "json":  # the message waits for the next page the browser shows
        assert ENDED in follow_messages(client)


@pytest.mark.parametrize("kind", KINDS)
def test_the_role_is_checked_before_the_token(db, client, kind):
    # No token record: if the token were checked first, the person would be signed out.
    signed_in(client)
    response = client.get("/assets/", headers=KINDS[kind])
    assert response.status_code == 403
    if kind == "htmx":
        assert response.headers["HX-Redirect"] == "/"
    elif kind == "json":
        assert response.json()["error"] == "forbidden"
    else:
        assert "This page is not for your role" in response.content.decode()
    assert "_auth_user_id" in client.session  # still signed in


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("state", ["never signed in", "session ended"])
def test_no_answer_of_the_check_is_ever_stored(db, client, kind, state):
    if state == "session ended":
        signed_in(client, "User")
    response = client.get("/sso/session/", headers=KINDS[kind])
    assert response.headers["Cache-Control"] == "no-store"
