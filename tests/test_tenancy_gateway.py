"""The tenancy matrix through the Launchpad entrance: the same people, signed in by the gateway's bearer token.

Every page and every POST of tests/test_tenancy.py, for 2 tenants x {admin, user} and the admin and user
of two subtenants of acme, each request carrying the person's token as MindSphere's gateway sends it
(signed with the emulator's tenant keys, sso.bearer verifies it). Nobody reaches another tenant.
People with no role of the app have no token for it: theirs is another app's, refused everywhere.
Pages that call MindSphere are left out here (they call the emulator with the token: tests/sso/test_bearer_live.py).
"""

# ruff: noqa: F811 (the fixtures `world` and `gateway` are imported from their modules and used by name)
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from assets.models import Export
from fleet.models import FleetOverview
from sso.models import MappingChange, ScopeRoleMapping
from tests.people import SCOPES, email_of
from tests.sso.test_bearer import bearer, claims_of, gateway, token  # noqa: F401 (gateway: a fixture)
from tests.test_tenancy import (  # noqa: F401 (world: a fixture)
    OWNERS,
    PEOPLE,
    Persona,
    assert_nothing_of_others,
    calls_mindsphere,
    expected_get,
    role_pages,
    urls,
    world,
)

pytestmark = pytest.mark.django_db
THROUGH_GATEWAY = [persona for persona in PEOPLE if role_pages(persona)]
NO_ROLE = [persona for persona in PEOPLE if not role_pages(persona)]


def token_of(emulator, persona: Persona) -> dict:
    """The request headers of the persona's requests through the gateway."""
    email = email_of(persona.tenant, persona.kind, persona.subtenant)
    extra = {"subtenant": persona.subtenant} if persona.subtenant else {}
    claims = claims_of(persona.tenant, scope=SCOPES[persona.kind], user_id=email, email=email, **extra)
    return bearer(token(emulator, claims))


@pytest.mark.parametrize("persona", THROUGH_GATEWAY, ids=str)
def test_every_page(client, world, gateway, persona):
    headers = token_of(gateway, persona)
    for url, owner in urls(world):
        if calls_mindsphere(url):
            continue
        response = client.get(url, **headers)
        allowed = expected_get(persona, url, own=owner == persona)
        if url.endswith("/download/") and response.status_code == 404 and 200 in allowed:
            allowed = {404}  # the export has no file yet: 404 for its owner too
        assert response.status_code in allowed, f"{persona} GET {url}: {response.status_code}"
        if response.status_code == 200 and not url.startswith("/admin/"):
            assert_nothing_of_others(persona, url, response.content.decode())
    # Always the same person: the one of make_person, found by tenant and user id.
    assert str(client.session["_auth_user_id"]) == str(world[persona].pk)


@pytest.mark.parametrize("persona", THROUGH_GATEWAY, ids=str)
def test_every_post(client, world, gateway, persona):
    headers = token_of(gateway, persona)
    before = sorted(ScopeRoleMapping.objects.values_list("tenant", "scope", "group__name"))
    target = "globex" if persona.tenant == "acme" else "acme"
    posts = [
        ("/manage/roles/", {"tenant": target, "version": 0, "scope-admin": "Admin", "scope-user": "Admin"}),
        ("/manage/roles/reset/", {"tenant": target, "version": 0}),
        ("/admin/sso/scoperolemapping/add/", {"scope": "extra", "group": Group.objects.get(name="Admin").pk}),
        ("/fleet/refresh/", {"tenant": target}),
    ]
    for url, data in posts:
        response = client.post(url, data, **headers)
        if url.startswith("/manage/") and "/manage/roles/" in role_pages(persona):
            assert response.status_code == 400  # their own page, but another tenant's form: refused
        elif url.startswith("/fleet/") and "/manage/roles/" in role_pages(persona):
            assert response.status_code == 302  # a run of their own tenant
        else:
            assert response.status_code in (403, 302), f"{persona} POST {url}: {response.status_code}"
    after = sorted(ScopeRoleMapping.objects.values_list("tenant", "scope", "group__name"))
    assert after == before
    assert not MappingChange.objects.exists()
    assert Export.objects.count() == len(OWNERS)
    assert FleetOverview.objects.get(tenant=target).requested_at is None


@pytest.mark.parametrize("persona", NO_ROLE, ids=str)
def test_a_person_without_a_role_of_the_app_has_no_way_in(client, world, gateway, persona):
    email = email_of(persona.tenant, persona.kind)
    headers = bearer(token(gateway, claims_of(persona.tenant, scope=["otherapp.user"], user_id=email, email=email)))
    for url, _owner in urls(world):
        assert client.get(url, **headers).status_code == 403, url
    assert "_auth_user_id" not in client.session
