"""The Admin role may edit the scope-to-role mapping in the Django admin, and nothing else."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from sso.models import ScopeRoleMapping
from sso.roles import sync_roles

pytestmark = pytest.mark.django_db


def signed_in(client, django_user_model, username: str, scopes: list[str]):
    user = django_user_model.objects.create_user(username=username, email=username)
    sync_roles(user, scopes)
    client.force_login(user)
    return user


@pytest.fixture
def admin_role_client(client, django_user_model):
    signed_in(client, django_user_model, "admin@acme.example", ["mobilestarter.admin", "mobilestarter.user"])
    return client


@pytest.mark.parametrize("url", ["/admin/", "/admin/sso/scoperolemapping/", "/admin/sso/scoperolemapping/add/"])
def test_admin_role_opens_the_mapping(admin_role_client, url):
    assert admin_role_client.get(url).status_code == 200


def test_admin_role_changes_a_mapping(admin_role_client):
    mapping = ScopeRoleMapping.objects.get(scope="user")
    viewers = Group.objects.create(name="Viewers")
    url = f"/admin/sso/scoperolemapping/{mapping.pk}/change/"
    assert admin_role_client.get(url).status_code == 200
    response = admin_role_client.post(url, {"scope": "user", "group": viewers.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping.refresh_from_db()
    assert mapping.group == viewers


def test_admin_role_adds_a_mapping(admin_role_client):
    response = admin_role_client.post(
        "/admin/sso/scoperolemapping/add/", {"scope": "maintenance", "group": Group.objects.get(name="User").pk}
    )
    assert response.status_code == 302
    assert ScopeRoleMapping.objects.filter(scope="maintenance").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
        "/admin/sso/tokenrecord/",
        "/admin/sso/mindsphereidentity/",
    ],
)
def test_admin_role_is_refused_everything_else(admin_role_client, url):
    assert admin_role_client.get(url).status_code == 403


def test_admin_role_cannot_edit_groups(admin_role_client):
    admin = Group.objects.get(name="Admin")
    response = admin_role_client.post(f"/admin/auth/group/{admin.pk}/change/", {"name": "Admin", "permissions": []})
    assert response.status_code == 403
    assert admin.permissions.count() == 4


def test_user_role_is_sent_away_from_the_admin(client, django_user_model):
    signed_in(client, django_user_model, "user@acme.example", ["mobilestarter.user"])
    for url in ("/admin/", "/admin/sso/scoperolemapping/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_admin_role_revoked_loses_the_admin(client, django_user_model):
    user = signed_in(client, django_user_model, "admin@acme.example", ["mobilestarter.admin"])
    assert client.get("/admin/sso/scoperolemapping/").status_code == 200
    sync_roles(user, ["mobilestarter.user"])
    assert client.get("/admin/sso/scoperolemapping/").status_code == 302
