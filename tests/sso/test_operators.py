"""Django admin is for the app's operators only: superusers, and admins of MINDSPHERE_OPERATOR_TENANTS."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from sso.models import MappingChange, MindSphereIdentity, ScopeRoleMapping, TokenRecord
from sso.roles import sync_roles
from tests.people import sign_in

pytestmark = pytest.mark.django_db

ADMIN_SCOPES = ["mobilestarter.admin", "mobilestarter.user"]


@pytest.fixture(autouse=True)
def operator_tenant(settings):
    settings.MINDSPHERE_OPERATOR_TENANTS = ["operator"]


def signed_in(client, django_user_model, tenant: str, scopes: list[str], subtenant: str = ""):
    """A person who signed in through MindSphere: identity, roles, a token record for this session."""
    user = django_user_model.objects.create_user(username=f"mdsp-{tenant}-{len(scopes)}-{subtenant}")
    MindSphereIdentity.objects.create(
        user=user,
        tenant=tenant,
        subtenant=subtenant,
        mindsphere_user_id="u",
        email=f"p@{tenant}.example",
        scopes=scopes,
    )
    sync_roles(user, scopes, tenant, subtenant)
    return sign_in(client, user, tokens=True)


@pytest.fixture
def operator(client, django_user_model):
    signed_in(client, django_user_model, "operator", ADMIN_SCOPES)
    return client


@pytest.mark.parametrize("scopes", [ADMIN_SCOPES, ["mobilestarter.user"], []], ids=["tenant-admin", "user", "no-role"])
@pytest.mark.parametrize("url", ["/admin/", "/admin/sso/scoperolemapping/", "/admin/login/", "/admin/auth/user/"])
def test_signed_in_people_who_are_not_operators_get_the_403_page(client, django_user_model, scopes, url):
    signed_in(client, django_user_model, "acme", scopes)
    response = client.get(url)
    assert response.status_code == 403
    page = response.content.decode()
    assert "operators only" in page and 'name="password"' not in page


def test_anonymous_people_get_the_password_form(client):
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200 and 'name="password"' in response.content.decode()


def test_a_superuser_signs_in_with_a_password(client, django_user_model):
    django_user_model.objects.create_superuser("root", password="a-long-test-password")
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": "a-long-test-password"})
    assert response.status_code == 302
    assert client.get("/admin/auth/user/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/sso/scoperolemapping/",
        "/admin/sso/scoperolemapping/add/",
        "/admin/sso/mindsphereidentity/",
        "/admin/sso/tokenrecord/",
        "/admin/sso/mappingchange/",
    ],
)
def test_an_operator_opens_the_operator_pages(operator, url):
    assert operator.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/group/add/"])
def test_an_operator_cannot_manage_users_or_groups(operator, url):
    assert operator.get(url).status_code == 403


def test_an_operator_edits_a_default_and_its_tenants_follow(operator, django_user_model, client):
    viewers = Group.objects.create(name="Viewers")
    user = django_user_model.objects.create_user(username="someone@acme")
    MindSphereIdentity.objects.create(
        user=user, tenant="acme", mindsphere_user_id="u9", email="s@acme", scopes=["mobilestarter.user"]
    )
    sync_roles(user, ["mobilestarter.user"], "acme")
    mapping = ScopeRoleMapping.objects.get(tenant="", scope="user")
    response = operator.post(
        f"/admin/sso/scoperolemapping/{mapping.pk}/change/", {"scope": "user", "group": viewers.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ScopeRoleMapping.objects.get(tenant="", scope="user").group == viewers
    assert set(user.groups.values_list("name", flat=True)) == {"Viewers"}  # re-synced at once
    assert MappingChange.objects.get(tenant="").described == ["user: changed to Viewers"]
    assert "user: changed to Viewers" in operator.get("/admin/sso/mappingchange/").content.decode()


def test_an_operator_sees_but_cannot_change_a_tenants_own_mapping(operator):
    own = ScopeRoleMapping.objects.create(tenant="acme", scope="user", group=Group.objects.get(name="Admin"))
    assert "tenant acme" in operator.get("/admin/sso/scoperolemapping/").content.decode()
    url = f"/admin/sso/scoperolemapping/{own.pk}/change/"
    assert operator.get(url).status_code == 200  # read-only view
    assert operator.post(url, {"scope": "user", "group": Group.objects.get(name="User").pk}).status_code == 403
    assert operator.post(f"/admin/sso/scoperolemapping/{own.pk}/delete/", {"post": "yes"}).status_code == 403
    own.refresh_from_db()
    assert own.group.name == "Admin"


def test_an_operator_who_loses_the_scope_loses_the_admin(client, django_user_model):
    user = signed_in(client, django_user_model, "operator", ADMIN_SCOPES)
    assert client.get("/admin/").status_code == 200
    sync_roles(user, ["mobilestarter.user"], "operator")
    assert client.get("/admin/").status_code == 403


def test_the_admins_log_out_signs_an_operator_out_of_the_app(operator):
    assert TokenRecord.objects.get().tenant == "operator"  # this session's, as sign-in leaves it
    response = operator.post("/admin/logout/")
    assert response.status_code == 302
    assert "/operator/logout.do?redirect=" in response.headers["Location"]  # through MindSphere, as the app's own
    assert not TokenRecord.objects.exists()
    assert "_auth_user_id" not in operator.session


def test_a_subtenants_admin_of_an_operator_tenant_is_no_operator(client, django_user_model):
    """The finding: with an operator tenant, a subtenant's admin became staff and saw every tenant's identities."""
    user = signed_in(client, django_user_model, "operator", ADMIN_SCOPES, subtenant="customer-a")
    user.refresh_from_db()
    assert not user.is_staff and set(user.groups.values_list("name", flat=True)) == {"User"}
    for url in ("/admin/", "/admin/sso/mindsphereidentity/", "/admin/sso/scoperolemapping/add/"):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("scope", ["user", "USER", "User"])
def test_a_second_default_for_a_scope_is_the_forms_error(operator, scope):
    admins = Group.objects.get(name="Admin")
    response = operator.post("/admin/sso/scoperolemapping/add/", {"scope": scope, "group": admins.pk})
    assert response.status_code == 200  # the form again, not a 500
    assert "already has an app-wide default" in response.content.decode()
    assert ScopeRoleMapping.objects.filter(tenant="", scope="user").count() == 1
    assert not MappingChange.objects.filter(tenant="").exists()


def test_a_tenants_own_row_for_the_scope_is_no_duplicate_of_a_default(operator):
    ScopeRoleMapping.objects.filter(tenant="", scope="viewer").delete()
    ScopeRoleMapping.objects.create(tenant="acme", scope="viewer", group=Group.objects.get(name="User"))
    response = operator.post(
        "/admin/sso/scoperolemapping/add/", {"scope": "viewer", "group": Group.objects.get(name="User").pk}
    )
    assert response.status_code == 302
    assert ScopeRoleMapping.objects.filter(scope="viewer").count() == 2


def test_operators_is_not_offered_as_a_role(operator):
    ScopeRoleMapping.objects.filter(tenant="", scope="viewer").delete()
    page = operator.get("/admin/sso/scoperolemapping/add/").content.decode()
    assert ">Admin</option>" in page and ">User</option>" in page and ">Operators</option>" not in page
    operators = Group.objects.get(name="Operators")
    response = operator.post("/admin/sso/scoperolemapping/add/", {"scope": "viewer", "group": operators.pk})
    assert response.status_code == 200 and not ScopeRoleMapping.objects.filter(scope="viewer").exists()
