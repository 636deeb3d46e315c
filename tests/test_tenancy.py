"""Every URL and every POST, for 2 tenants x {admin, user, no role}, the admin and user of two subtenants
of acme, and an operator: nobody reaches another tenant, and a subtenant's people reach nobody else.

Pages that call MindSphere answer without a token record here (the person is then signed out);
what matters is who gets in at all, and that nothing of other people shows or changes. The other
pages are opened with a valid token, as sign-in leaves it: privileged pages check it first.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import NamedTuple

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from assets.models import Export
from fleet.models import FleetOverview
from sso.models import MappingChange, ScopeRoleMapping
from tests.people import SUBTENANTS, TENANTS, email_of, make_person, roles_of, sign_in

pytestmark = pytest.mark.django_db


class Persona(NamedTuple):
    tenant: str  # "-" for the operator, who signs in with a password
    kind: str  # admin, user, norole, operator
    subtenant: str = ""

    @property
    def label(self) -> str:
        """What this persona's export is called after: the tenant, or the subtenant's short name."""
        return SUBTENANTS[self.subtenant] if self.subtenant else self.tenant

    def __str__(self) -> str:
        return f"{self.kind}@{self.tenant}" + (f"/{self.subtenant}" if self.subtenant else "")


PEOPLE = [Persona(tenant, kind) for tenant in TENANTS for kind in ("admin", "user", "norole")] + [
    Persona("acme", kind, subtenant) for subtenant in SUBTENANTS for kind in ("admin", "user")
]
OPERATOR = Persona("-", "operator")
PERSONAS = [*PEOPLE, OPERATOR]
# The people who own an export: every user, a subtenant's too.
OWNERS = [persona for persona in PEOPLE if persona.kind == "user"]


@pytest.fixture
def world():
    """Everyone, a superuser operator, an own mapping and a fleet overview per tenant, and an export per user."""
    people = {persona: make_person(persona.tenant, persona.kind, subtenant=persona.subtenant) for persona in PEOPLE}
    people[OPERATOR] = User.objects.create_superuser("operator", password="a-long-test-password")
    for tenant in TENANTS:
        ScopeRoleMapping.objects.create(tenant=tenant, scope="admin", group=Group.objects.get(name="Admin"))
        ScopeRoleMapping.objects.create(tenant=tenant, scope="user", group=Group.objects.get(name="User"))
    now = timezone.now()
    for tenant in TENANTS:
        FleetOverview.objects.create(
            tenant=tenant,
            asset_count=2,
            computed_at=now,
            not_reporting=[{"assetId": f"{tenant}-asset", "name": f"Secret {tenant} pump", "lastSeen": None}],
        )
    for owner in OWNERS:
        Export.objects.create(
            user=people[owner],
            tenant=owner.tenant,
            asset_id=f"{owner.label}-asset",
            asset_name=f"Secret {owner.label} pump",
            property_set="Env",
            variables=["t"],
            start=now - timedelta(days=1),
            end=now,
            status=Export.Status.FAILED,  # one that can be tried again or deleted
        )
    return people


FLEET_PAGES = {"/fleet/not-reporting/", "/fleet/overview/"}


def role_pages(persona: Persona) -> set[str]:
    """The pages of the persona's roles. A subtenant's admin is a User: the tenant's Admin role is never theirs.

    The fleet overview is the whole tenant's: a subtenant's people do not see it (docs/tenancy.md): its
    htmx fragment answers them with nothing in it, its list of assets with 403.
    """
    fleet = {"/fleet/overview/"} if persona.subtenant else FLEET_PAGES
    if persona.kind == "admin" and not persona.subtenant:
        return {"/home/admin/", "/home/user/", "/account/", "/assets/exports/", "/manage/roles/", *fleet}
    if persona.kind in ("admin", "user"):
        return {"/home/user/", "/account/", "/assets/exports/", *fleet}
    return set()


def expected_get(persona: Persona, url: str, own: bool) -> set[int]:
    """Status codes allowed for a persona on a URL (`own`: the URL names the persona's own data)."""
    has_role = bool(role_pages(persona))
    if url == "/":
        return {302} if has_role else {403}  # no role (an operator has none): the no-role page
    if url.startswith("/admin/"):
        return {200} if persona == OPERATOR else {403}
    if url == "/account/":  # everyone signed in, people with no role too: their language, and sign out
        return {200}
    if url.startswith("/assets/exports/") and url != "/assets/exports/":
        return {200} if own else {404} if has_role else {403}
    if url == "/assets/":  # calls MindSphere: no token record here, so signed out (302) when the role allows
        return {302} if has_role else {403}
    return {200} if url in role_pages(persona) else {403}


def urls(world) -> list[tuple[str, Persona | None]]:
    """Every page, and each export's pages with its owner."""
    owners = {world[owner].pk: owner for owner in OWNERS}
    exports = [(export.pk, owners[export.user_id]) for export in Export.objects.all()]
    return [
        ("/", None),
        ("/home/admin/", None),
        ("/home/user/", None),
        ("/account/", None),
        ("/assets/", None),
        ("/assets/exports/", None),
        ("/manage/roles/", None),
        *((url, None) for url in sorted(FLEET_PAGES)),
        ("/admin/", None),
        ("/admin/sso/scoperolemapping/", None),
        ("/admin/fleet/fleetoverview/", None),
        ("/admin/sso/mindsphereidentity/", None),
        ("/admin/sso/tokenrecord/", None),
        *((f"/assets/exports/{pk}/", owner) for pk, owner in exports),
        *((f"/assets/exports/{pk}/download/", owner) for pk, owner in exports),
        *((f"/assets/exports/{pk}/delete/", owner) for pk, owner in exports),  # the question before deleting
    ]


def calls_mindsphere(url: str) -> bool:
    return url.startswith("/assets/") and not url.startswith("/assets/exports/")


def may_see(persona: Persona, other: Persona) -> bool:
    """Whether `other`'s email or data may show on `persona`'s pages: their own; a tenant's admin sees its people."""
    if other == persona:
        return True
    return persona.kind == "admin" and not persona.subtenant and persona.tenant == other.tenant


def shown(page: str, email: str) -> bool:
    # A whole address (north-admin@… is not admin@…), with the line-break hints of `wrappable` taken out.
    text = page.replace("<wbr>", "")
    return re.search(rf"(?<![\w.+-]){re.escape(email)}", text) is not None


def assert_nothing_of_others(persona: Persona, url: str, page: str) -> None:
    for other in PEOPLE:
        if may_see(persona, other):
            continue
        email = email_of(other.tenant, other.kind, other.subtenant)
        assert not shown(page, email), f"{persona} GET {url} shows {email}"
        if other in OWNERS:
            assert f"Secret {other.label} pump" not in page, f"{persona} GET {url} shows {other}'s export"


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
def test_every_page(client, world, persona):
    for url, owner in urls(world):
        sign_in(client, world[persona], tokens=not calls_mindsphere(url))
        response = client.get(url)
        allowed = expected_get(persona, url, own=owner == persona)
        if url.endswith("/download/") and response.status_code == 404 and 200 in allowed:
            allowed = {404}  # the export has no file yet: 404 for its owner too
        assert response.status_code in allowed, f"{persona} GET {url}: {response.status_code}"
        if response.status_code == 200 and not url.startswith("/admin/"):
            assert_nothing_of_others(persona, url, response.content.decode())


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
def test_every_post(client, world, persona):
    before = sorted(ScopeRoleMapping.objects.values_list("tenant", "scope", "group__name"))
    target = "globex" if persona.tenant == "acme" else "acme"
    user = world[persona]
    posts = [
        ("/manage/roles/", {"tenant": target, "version": 0, "scope-admin": "Admin", "scope-user": "Admin"}),
        ("/manage/roles/reset/", {"tenant": target, "version": 0}),
        (
            f"/assets/{target}-asset/export/",
            {"property_set": "Env", "variables": "t", "start": "2026-01-01", "end": "2026-01-02"},
        ),
        ("/admin/sso/scoperolemapping/add/", {"scope": "extra", "group": Group.objects.get(name="Admin").pk}),
        ("/fleet/refresh/", {"tenant": target}),  # the tenant comes from the session, never from the form
    ]
    for url, data in posts:
        sign_in(client, user, tokens=not calls_mindsphere(url))
        response = client.post(url, data)
        if persona == OPERATOR and url.startswith("/admin/"):
            assert response.status_code == 302  # operators add app-wide defaults
        elif url.startswith("/manage/") and "/manage/roles/" in role_pages(persona):
            assert response.status_code == 400  # their own page, but another tenant's form: refused
        elif url.startswith("/assets/") and role_pages(persona):
            assert response.status_code == 302  # no token record: signed out, nothing exported
        elif url.startswith("/fleet/") and "/manage/roles/" in role_pages(persona):
            assert response.status_code == 302  # a run of their own tenant, back to their page
        else:
            assert response.status_code in (403, 302), f"{persona} POST {url}: {response.status_code}"
    after = sorted(
        ScopeRoleMapping.objects.exclude(tenant="", scope="extra").values_list("tenant", "scope", "group__name")
    )
    assert after == before  # no tenant's mapping changed
    assert not MappingChange.objects.exclude(tenant="").exists()
    assert Export.objects.count() == len(OWNERS)
    assert FleetOverview.objects.get(tenant=target).requested_at is None  # nobody asked for another tenant's run
    assert client.post("/sso/logout/").status_code == 302


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
def test_no_one_tries_again_or_deletes_anothers_export(client, world, persona):
    for export in Export.objects.exclude(user=world[persona]):
        for action in ("retry", "delete"):
            sign_in(client, world[persona], tokens=True)  # the retry's token check passes: the export decides
            response = client.post(f"/assets/exports/{export.pk}/{action}/")
            expected = 404 if role_pages(persona) else 403
            assert response.status_code == expected, f"{persona} POST {action} of {export}: {response.status_code}"
    assert Export.objects.filter(status=Export.Status.FAILED).count() == len(OWNERS)  # none queued, none gone


SUBTENANT_ADMINS = [persona for persona in PEOPLE if persona.subtenant and persona.kind == "admin"]


@pytest.mark.parametrize("persona", SUBTENANT_ADMINS, ids=str)
def test_a_subtenant_admin_changes_nothing_of_the_tenant(client, world, persona):
    """The finding: a subtenant's admin saved acme's mapping, and acme's user lost their role."""
    sign_in(client, world[persona], tokens=True)
    own_form = {"tenant": "acme", "version": 0, "scope-admin": "Admin", "scope-user": ""}
    assert client.post("/manage/roles/", own_form).status_code == 403
    assert client.post("/manage/roles/reset/", {"tenant": "acme", "version": 0}).status_code == 403
    acme = {row.scope: row.group.name for row in ScopeRoleMapping.objects.filter(tenant="acme")}
    assert acme == {"admin": "Admin", "user": "User"}
    assert not MappingChange.objects.exists()
    assert roles_of(world[Persona("acme", "user")]) == {"User"}
    assert roles_of(world[persona]) == {"User"}  # their admin scope gives no Admin role


def test_the_tenants_admin_sees_its_subtenants_people_with_their_subtenant(client, world):
    sign_in(client, world[Persona("acme", "admin")], tokens=True)
    page = client.get("/manage/roles/").content.decode()
    for persona in PEOPLE:
        assert shown(page, email_of(persona.tenant, persona.kind, persona.subtenant)) == (persona.tenant == "acme")
    assert "Subtenant windpark-north" in page and "Subtenant windpark-south" in page


def test_the_same_email_in_two_tenants_is_two_people(world):
    acme = make_person("acme", "user", "consultant@example.com")
    globex = make_person("globex", "admin", "consultant@example.com")
    assert acme.pk != globex.pk
    assert set(acme.groups.values_list("name", flat=True)) == {"User"}
    assert set(globex.groups.values_list("name", flat=True)) == {"Admin", "User"}
