"""/manage/roles/: a tenant's admins change their own tenant's mapping, and nothing else."""

from __future__ import annotations

import html

import pytest

from sso.models import MappingChange, ScopeRoleMapping
from sso.texts import mapping_change
from tests.people import make_person, roles_of, sign_in

pytestmark = pytest.mark.django_db
URL = "/manage/roles/"


@pytest.fixture
def acme(client):
    """acme's admin, signed in through MindSphere (a valid token); acme's and globex's users exist."""
    admin = make_person("acme", "admin")
    sign_in(client, admin, tokens=True)
    return {"admin": admin, "user": make_person("acme", "user"), "globex_user": make_person("globex", "user")}


def form_data(client, **changes) -> dict:
    """The form as the page renders it, with `changes` applied (scope -> role; tenant/version too)."""
    form = client.get(URL).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    for key, value in changes.items():
        data[key if key in ("tenant", "version") else f"scope-{key}"] = value
    return data


def test_the_page_shows_the_tenants_mapping_people_and_no_history(client, acme):
    response = client.get(URL)
    page = response.content.decode().replace("<wbr>", "")  # e-mail addresses carry break hints
    assert response.status_code == 200
    assert "Roles of acme" in page and "uses the app's defaults" in page
    assert "admin@acme.example" in page and "user@acme.example" in page and "globex" not in page
    assert "Settings" in page  # where a person's scopes are changed
    assert 'id="mindsphere-lifecycle"' in page
    assert response.context["form"]["scope-user"].value() == "User"


def test_saving_changes_acme_at_once_and_not_globex(client, acme):
    response = client.post(URL, form_data(client, user="Admin"))
    assert response.status_code == 302
    assert {row.scope: row.group.name for row in ScopeRoleMapping.objects.filter(tenant="acme")} == {
        "admin": "Admin",
        "user": "Admin",
    }
    assert roles_of(acme["user"]) == {"Admin"}  # re-synced at once
    assert roles_of(acme["globex_user"]) == {"User"}
    assert not ScopeRoleMapping.objects.filter(tenant="globex").exists()
    change = MappingChange.objects.get(tenant="acme")
    assert (change.changed_by, change.changes) == (
        "admin@acme.example",
        [mapping_change("role", scope="user", before="User", after="Admin")],
    )
    page = client.get(URL).content.decode()
    assert "Mapping saved: user: User → Admin" in page and "has its own mapping" in page


def test_saving_with_htmx_swaps_the_page_content(client, acme):
    response = client.post(URL, form_data(client, user="Admin"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith('<div id="manage-roles">') and "Mapping saved" in page
    assert "HX-Request" in response.headers["Vary"]


def test_a_bad_form_with_htmx_comes_back_in_place_with_its_400(client, acme):
    response = client.post(URL, form_data(client, admin="User"), headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Reswap"] == "outerHTML"  # swapped all the same (static/js/busy.js)
    page = response.content.decode()
    assert page.startswith('<div id="manage-roles">') and "must give the Admin role" in page
    assert not MappingChange.objects.exists()


def test_reset_goes_back_to_the_defaults(client, acme):
    client.post(URL, form_data(client, user="Admin"))
    response = client.post(URL + "reset/", form_data(client))
    assert response.status_code == 302
    assert not ScopeRoleMapping.objects.filter(tenant="acme").exists()
    assert roles_of(acme["user"]) == {"User"}
    assert MappingChange.objects.filter(tenant="acme").first().described == [
        "reset to the app's defaults",
        "user: Admin → User",
    ]


@pytest.mark.parametrize(
    ("language", "message", "history"),
    [
        (
            "en",
            "Mapping saved: user: User → no role. People of acme get their new roles at once",
            "user: User → no role</li>",
        ),
        (
            "de",
            "Zuordnung gespeichert: user: User → keine Rolle. Die Personen von acme",
            "user: User → keine Rolle</li>",
        ),
    ],
)
def test_the_message_and_the_history_are_in_the_readers_language(client, acme, language, message, history):
    client.cookies["django_language"] = language
    response = client.post(URL, form_data(client, user=""), follow=True)
    page = response.content.decode()
    assert message in page and history in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "reset to the app's defaults; user: Admin → User"),
        ("de", "auf die Standardwerte der App zurückgesetzt; user: Admin → User"),
    ],
)
def test_the_history_is_shown_in_the_language_of_who_reads_it(client, acme, language, expected):
    """Stored once, as codes: an admin reading in German sees German whoever made the change."""
    client.post(URL, form_data(client, user="Admin"))
    client.post(URL + "reset/", form_data(client))
    page = html.unescape(client.get(URL, headers={"Accept-Language": language}).content.decode())
    assert expected in page


def tampered(client) -> dict:
    return form_data(client, tenant="globex")


@pytest.mark.parametrize(
    ("make_data", "message"),
    [
        pytest.param(
            lambda client: {**form_data(client), "scope-superuser": "Admin"},
            "This app has no scope superuser",
            id="unknown-scope",
        ),
        pytest.param(lambda client: form_data(client, user="Operators"), "Select a valid choice", id="unknown-role"),
        pytest.param(
            lambda client: {key: value for key, value in form_data(client).items() if not key.startswith("scope-")},
            "arrived empty",
            id="empty",
        ),
        pytest.param(tampered, "for another tenant", id="tampered-tenant"),
        pytest.param(
            lambda client: form_data(client, version="0", user="Admin") | {"version": "99"},
            "Someone changed this mapping",
            id="stale",
        ),
        pytest.param(lambda client: form_data(client, admin="", user=""), "at least one scope a role", id="no-roles"),
        pytest.param(lambda client: form_data(client, admin="User"), "must give the Admin role", id="no-admin"),
        pytest.param(lambda client: form_data(client, version="x"), "could not be read", id="bad-version"),
    ],
)
def test_bad_input_changes_nothing_and_says_why(client, acme, make_data, message):
    response = client.post(URL, make_data(client))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ScopeRoleMapping.objects.exclude(tenant="").exists()
    assert not MappingChange.objects.exists()
    assert roles_of(acme["user"]) == {"User"}


def test_a_stale_form_shows_the_mapping_as_it_is_now(client, acme, django_user_model):
    stale = form_data(client, user="Admin")
    other = make_person("acme", "admin", "second-admin@acme.example")
    sign_in(client, other, tokens=True)
    client.post(URL, form_data(client, user="Admin"))
    sign_in(client, acme["admin"], tokens=True)
    response = client.post(URL, stale | {"scope-admin": "Admin", "scope-user": "User"})
    assert response.status_code == 400
    assert response.context["form"]["scope-user"].value() == "Admin"  # what second-admin saved
    assert MappingChange.objects.count() == 1


def test_two_saves_from_the_same_version_cannot_both_land(acme):
    """The form's check and the save are two steps; the save checks again, inside its transaction."""
    from django.db import IntegrityError, transaction

    from tenantadmin import mapping

    shown = mapping.version("acme")
    mapping.save("acme", {"admin": "Admin", "user": "Admin"}, by="first@acme.example", expected=shown)
    with pytest.raises(mapping.StaleMapping):
        mapping.save("acme", {"admin": "Admin", "user": "User"}, by="second@acme.example", expected=shown)
    with pytest.raises(mapping.StaleMapping):
        mapping.reset("acme", by="second@acme.example", expected=shown)
    assert {row.scope: row.group.name for row in ScopeRoleMapping.objects.filter(tenant="acme")} == {
        "admin": "Admin",
        "user": "Admin",
    }
    assert list(MappingChange.objects.values_list("changed_by", "number")) == [("first@acme.example", 1)]
    # Two saves that pass that check at the same instant: the version number is taken once.
    with pytest.raises(IntegrityError), transaction.atomic():
        MappingChange.record(
            "acme",
            "second@acme.example",
            [mapping_change("role", scope="user", before="Admin", after="User")],
            after=shown,
        )


def test_each_tenant_counts_its_own_versions(client, acme):
    client.post(URL, form_data(client, user="Admin"))
    sign_in(client, make_person("globex", "admin"), tokens=True)
    client.post(URL, form_data(client, user="Admin"))
    assert sorted(MappingChange.objects.values_list("tenant", "number")) == [("acme", 1), ("globex", 1)]


def test_a_stale_reset_changes_nothing(client, acme):
    client.post(URL, form_data(client, user="Admin"))
    stale = form_data(client) | {"version": "0"}
    response = client.post(URL + "reset/", stale)
    assert response.status_code == 400 and ScopeRoleMapping.objects.filter(tenant="acme").exists()


def test_globex_admin_cannot_reach_acme_by_any_url_or_field(client, acme):
    client.post(URL, form_data(client, user="Admin"))  # acme has its own mapping now
    sign_in(client, make_person("globex", "admin"), tokens=True)
    page = client.get(URL).content.decode()
    assert "Roles of globex" in page and "acme" not in page
    for path in (URL, URL + "reset/"):
        response = client.post(path, form_data(client, tenant="acme"))
        assert response.status_code == 400
    assert {row.scope: row.group.name for row in ScopeRoleMapping.objects.filter(tenant="acme")} == {
        "admin": "Admin",
        "user": "Admin",
    }
    assert not MappingChange.objects.filter(tenant="globex").exists()


@pytest.mark.parametrize("kind", ["user", "norole"])
def test_only_admins_may_open_it(client, kind):
    sign_in(client, make_person("acme", kind), tokens=True)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"tenant": "acme", "version": 0, "scope-user": "Admin"}).status_code == 403
    assert not ScopeRoleMapping.objects.exclude(tenant="").exists()


def test_anonymous_people_go_to_the_login_page(client):
    assert client.get(URL).headers["Location"] == "/?next=%2Fmanage%2Froles%2F"


def test_the_admin_menu_links_it(client, acme):
    assert 'href="/manage/roles/"' in client.get("/home/admin/").content.decode()


def test_the_tenant_comes_from_the_sign_in_not_from_the_database(client):
    """A session that did not sign in through MindSphere (a password) has no tenant, whatever the user has."""
    client.force_login(make_person("acme", "admin"))
    response = client.get(URL)
    assert response.status_code == 403 and "sign in through MindSphere" in response.content.decode()
