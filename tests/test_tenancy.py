"""Every URL and every POST, for 2 tenants x {admin, user, no role} and an operator: nobody reaches another tenant.

Pages that call MindSphere answer without a token record here (the person is then signed out);
what matters is who gets in at all, and that nothing of the other tenant shows or changes.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from assets.models import Export
from fleet.models import FleetOverview
from sso.models import MappingChange, ScopeRoleMapping
from tests.people import TENANTS, make_person, sign_in

pytestmark = pytest.mark.django_db

PERSONAS = [(tenant, kind) for tenant in TENANTS for kind in ("admin", "user", "norole")] + [("-", "operator")]


@pytest.fixture
def world():
    """Everyone of both tenants, a superuser operator, an own mapping, an export and a fleet overview per tenant."""
    people = {(tenant, kind): make_person(tenant, kind) for tenant in TENANTS for kind in ("admin", "user", "norole")}
    people[("-", "operator")] = User.objects.create_superuser("operator", password="a-long-test-password")
    for tenant in TENANTS:
        ScopeRoleMapping.objects.create(tenant=tenant, scope="admin", group=Group.objects.get(name="Admin"))
        ScopeRoleMapping.objects.create(tenant=tenant, scope="user", group=Group.objects.get(name="User"))
        now = timezone.now()
        Export.objects.create(
            user=people[(tenant, "user")], tenant=tenant, asset_id=f"{tenant}-asset", asset_name=f"Secret {tenant} pump",
            property_set="Env", variables=["t"], start=now - timedelta(days=1), end=now,
        )
        FleetOverview.objects.create(
            tenant=tenant, asset_count=2, computed_at=now,
            not_reporting=[{"assetId": f"{tenant}-asset", "name": f"Secret {tenant} pump", "lastSeen": None}],
        )
    return people


def expected_get(kind: str, url: str, own: bool) -> set[int]:
    """Status codes allowed for a persona on a URL (`own`: the URL names the persona's own tenant's data)."""
    fleet = {"/fleet/not-reporting/", "/fleet/overview/"}
    role_pages = {"admin": {"/home/admin/", "/home/user/", "/account/", "/assets/exports/", "/manage/roles/", *fleet},
                  "user": {"/home/user/", "/account/", "/assets/exports/", *fleet}}
    if url == "/":
        return {302} if kind in ("admin", "user") else {403}  # no role (an operator has none): the no-role page
    if url.startswith("/admin/"):
        return {200} if kind == "operator" else {403}
    if url.startswith("/assets/exports/") and url != "/assets/exports/":
        return {200} if own and kind == "user" else {404} if kind in ("admin", "user") else {403}
    if url == "/assets/":  # calls MindSphere: no token record here, so signed out (302) when the role allows
        return {302} if kind in ("admin", "user") else {403}
    return {200} if url in role_pages.get(kind, set()) else {403}


def urls(world) -> list[tuple[str, str | None]]:
    exports = {export.tenant: export.pk for export in Export.objects.all()}
    return [
        ("/", None), ("/home/admin/", None), ("/home/user/", None), ("/account/", None), ("/assets/", None),
        ("/assets/exports/", None), ("/manage/roles/", None),
        ("/fleet/not-reporting/", None), ("/fleet/overview/", None),
        ("/admin/", None), ("/admin/sso/scoperolemapping/", None), ("/admin/fleet/fleetoverview/", None),
        ("/admin/sso/mindsphereidentity/", None), ("/admin/sso/tokenrecord/", None),
        *((f"/assets/exports/{pk}/", tenant) for tenant, pk in exports.items()),
        *((f"/assets/exports/{pk}/download/", tenant) for tenant, pk in exports.items()),
    ]


@pytest.mark.parametrize(("tenant", "kind"), PERSONAS, ids=lambda value: value)
def test_every_page(client, world, tenant, kind):
    other = {"acme": "globex", "globex": "acme"}.get(tenant)
    for url, owner in urls(world):
        sign_in(client, world[(tenant, kind)])
        response = client.get(url)
        allowed = expected_get(kind, url, own=owner == tenant)
        if url.endswith("/download/") and response.status_code == 404 and 200 in allowed:
            allowed = {404}  # the export has no file yet: 404 for its owner too
        assert response.status_code in allowed, f"{kind}@{tenant} GET {url}: {response.status_code}"
        if other and response.status_code == 200 and not url.startswith("/admin/"):
            page = response.content.decode()
            assert f"@{other}.example" not in page and f"Secret {other} pump" not in page, f"{url} shows {other}"


@pytest.mark.parametrize(("tenant", "kind"), PERSONAS, ids=lambda value: value)
def test_every_post(client, world, tenant, kind):
    before = sorted(ScopeRoleMapping.objects.values_list("tenant", "scope", "group__name"))
    target = "globex" if tenant == "acme" else "acme"
    user = world[(tenant, kind)]
    posts = [
        ("/manage/roles/", {"tenant": target, "version": 0, "scope-admin": "Admin", "scope-user": "Admin"}),
        ("/manage/roles/reset/", {"tenant": target, "version": 0}),
        (f"/assets/{target}-asset/export/", {"property_set": "Env", "variables": "t", "start": "2026-01-01", "end": "2026-01-02"}),
        ("/admin/sso/scoperolemapping/add/", {"scope": "extra", "group": Group.objects.get(name="Admin").pk}),
        ("/fleet/refresh/", {"tenant": target}),  # the tenant comes from the session, never from the form
    ]
    for url, data in posts:
        sign_in(client, user)
        response = client.post(url, data)
        if kind == "operator" and url.startswith("/admin/"):
            assert response.status_code == 302  # operators add app-wide defaults
        elif url.startswith("/manage/") and kind == "admin":
            assert response.status_code == 400  # their own page, but another tenant's form: refused
        elif url.startswith("/assets/") and kind in ("admin", "user"):
            assert response.status_code == 302  # no token record: signed out, nothing exported
        elif url.startswith("/fleet/") and kind == "admin":
            assert response.status_code == 302  # a run of their own tenant, back to their page
        else:
            assert response.status_code in (403, 302), f"{kind}@{tenant} POST {url}: {response.status_code}"
    after = sorted(ScopeRoleMapping.objects.exclude(tenant="", scope="extra").values_list("tenant", "scope", "group__name"))
    assert after == before  # no tenant's mapping changed
    assert not MappingChange.objects.exclude(tenant="").exists()
    assert Export.objects.count() == 2
    assert FleetOverview.objects.get(tenant=target).requested_at is None  # nobody asked for another tenant's run
    assert client.post("/sso/logout/").status_code == 302


def test_the_same_email_in_two_tenants_is_two_people(world):
    acme = make_person("acme", "user", "consultant@example.com")
    globex = make_person("globex", "admin", "consultant@example.com")
    assert acme.pk != globex.pk
    assert set(acme.groups.values_list("name", flat=True)) == {"User"}
    assert set(globex.groups.values_list("name", flat=True)) == {"Admin", "User"}
