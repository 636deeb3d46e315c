"""Privileged pages and actions run the token check first: roles as MindSphere gives them now.

In-process, with MindSphere's answers to a refresh played by the test; tests/sso/test_privileged_live.py
does the same over real HTTP with the emulator.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from mindsphere.exceptions import ProviderUnavailableError
from sso import tokens
from sso.exceptions import SignedOutError
from sso.models import MappingChange, MindSphereIdentity, ScopeRoleMapping, TokenRecord
from tests.people import SCOPES, make_person, roles_of, sign_in
from tests.tokens import expire_access_token

pytestmark = pytest.mark.django_db

ROLES = "/manage/roles/"
FORM = {"tenant": "acme", "version": 0, "scope-admin": "Admin", "scope-user": "Admin"}


@pytest.fixture(autouse=True)
def operator_tenant(settings):
    settings.MINDSPHERE_OPERATOR_TENANTS = ["acme"]  # acme's admin is an operator too


@pytest.fixture
def admin(client):
    """acme's admin (and operator), signed in through MindSphere, their access token due for a refresh."""
    user = sign_in(client, make_person("acme", "admin"), tokens=True)
    assert client.get(ROLES).status_code == 200 and client.get("/admin/").status_code == 200
    expire_access_token()
    return user


def mindsphere_answers(
    monkeypatch, scopes: list[str] | None = None, error: Exception | None = None, **more_claims: str
) -> list[str]:
    """The refresh grant answers a new token with these scopes (and claims), or raises `error`; the calls made."""
    calls: list[str] = []

    def refresh_grant(tenant: str, refresh_token: str) -> dict:
        calls.append(tenant)
        if error is not None:
            raise error
        return {"access_token": "refreshed", "refresh_token": "rotated"}

    claims = {"exp": int(timezone.now().timestamp()) + 1800, "scope": scopes or [], **more_claims}
    monkeypatch.setattr(tokens, "_refresh_grant", refresh_grant)
    monkeypatch.setattr(tokens, "verify_access_token", lambda token, tenant: claims)
    return calls


@pytest.mark.parametrize("url", [ROLES, "/admin/", "/admin/sso/scoperolemapping/"])
def test_a_role_removed_in_mindsphere_is_gone_at_the_next_privileged_page(client, admin, monkeypatch, url):
    calls = mindsphere_answers(monkeypatch, SCOPES["user"])
    response = client.get(url)
    assert response.status_code == 403 and calls == ["acme"]
    assert roles_of(admin) == {"User"}
    admin.refresh_from_db()
    assert not admin.is_staff


def test_an_admin_moved_into_a_subtenant_loses_the_admin_at_the_refresh(client, admin, monkeypatch):
    mindsphere_answers(monkeypatch, SCOPES["admin"], subtenant="windpark-north")
    assert client.post(ROLES, FORM).status_code == 403 and client.get("/admin/").status_code == 403
    assert roles_of(admin) == {"User"} and MindSphereIdentity.objects.get(user=admin).subtenant == "windpark-north"
    assert not ScopeRoleMapping.objects.filter(tenant="acme").exists()


def test_a_mapping_change_is_refused_once_the_role_is_gone(client, admin, monkeypatch):
    mindsphere_answers(monkeypatch, SCOPES["user"])
    assert client.post(ROLES, FORM).status_code == 403
    assert client.post(ROLES + "reset/", {"tenant": "acme", "version": 0}).status_code == 403
    assert not ScopeRoleMapping.objects.filter(tenant="acme").exists() and not MappingChange.objects.exists()


def test_an_admin_still_admin_in_mindsphere_goes_on_after_the_refresh(client, admin, monkeypatch):
    calls = mindsphere_answers(monkeypatch, SCOPES["admin"])
    assert client.post(ROLES, FORM).status_code == 302
    assert (
        calls == ["acme"] and ScopeRoleMapping.objects.filter(tenant="acme", scope="user", group__name="Admin").exists()
    )
    assert client.get("/admin/").status_code == 200 and calls == ["acme"]  # valid again: no second refresh


@pytest.mark.parametrize("url", [ROLES, "/admin/"])
def test_a_refresh_mindsphere_refuses_signs_the_person_out(client, admin, monkeypatch, url):
    mindsphere_answers(monkeypatch, error=SignedOutError("MindSphere refused the refresh token"))
    response = client.get(url)
    assert (response.status_code, response.headers["Location"]) == (302, f"/?next={url.replace('/', '%2F')}")
    assert not TokenRecord.objects.exists()
    assert "Your MindSphere session has ended" in client.get("/", follow=True).content.decode()


def test_mindsphere_unreachable_keeps_the_person_signed_in_and_changes_nothing(client, admin, monkeypatch):
    mindsphere_answers(monkeypatch, error=ProviderUnavailableError("token endpoint unreachable"))
    response = client.post(ROLES, FORM)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert not ScopeRoleMapping.objects.filter(tenant="acme").exists()
    assert TokenRecord.objects.count() == 1


def test_a_valid_token_costs_no_refresh(client, monkeypatch):
    sign_in(client, make_person("acme", "admin"), tokens=True)
    calls = mindsphere_answers(monkeypatch, SCOPES["user"])
    assert client.get(ROLES).status_code == 200 and client.get("/admin/").status_code == 200
    assert calls == []


def test_roles_from_mindsphere_need_a_sign_in_through_mindsphere(client):
    """A session that did not sign in through MindSphere (a password) has no token to vouch for them."""
    client.force_login(make_person("acme", "admin"))
    for url in (ROLES, "/admin/"):
        response = client.get(url)
        assert response.status_code == 403 and "sign in through MindSphere" in response.content.decode()


def test_an_operator_with_a_password_keeps_working(client, django_user_model):
    django_user_model.objects.create_superuser("root", password="a-long-test-password")
    assert client.post("/admin/login/", {"username": "root", "password": "a-long-test-password"}).status_code == 302
    assert client.get("/admin/sso/scoperolemapping/").status_code == 200
    response = client.post(
        "/admin/sso/scoperolemapping/add/", {"scope": "extra", "group": Group.objects.get(name="User").pk}
    )
    assert response.status_code == 302 and ScopeRoleMapping.objects.filter(tenant="", scope="extra").exists()


@pytest.mark.parametrize("url", [ROLES, "/admin/"])
def test_a_subtenants_admin_left_with_old_privileges_is_refused(client, url):
    """Someone synced before subtenants counted still has Admin and staff until their next refresh: refused anyway."""
    user = make_person("acme", "admin", subtenant="windpark-north")
    user.groups.add(Group.objects.get(name="Admin"))
    user.is_staff = True
    user.save()
    sign_in(client, user, tokens=True)
    assert client.get(url).status_code == 403
