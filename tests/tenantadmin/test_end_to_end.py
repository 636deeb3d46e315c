"""Over real HTTP (emulator + live app): one tenant's admin can no longer promote anyone elsewhere."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sso.models import ScopeRoleMapping
from tests.conftest import session_check

ROLES = "/manage/roles/"


def form_of(app, browser) -> dict:
    """The mapping form of /manage/roles/ as the browser got it."""
    page = browser.get(app.url(ROLES), timeout=15).text
    fields = dict(re.findall(r'<input type="hidden" name="(tenant|version)" value="([^"]*)"', page))
    selects = re.findall(r'<select name="(scope-[\w-]+)"', page)
    chosen = dict(
        re.findall(r'<select name="(scope-[\w-]+)"[^>]*>.*?<option value="([^"]*)" selected', page, flags=re.S)
    )
    return {**fields, **{name: chosen.get(name, "") for name in selects}}


def test_a_globex_admin_cannot_promote_anyone_in_acme(app):
    globex = app.sign_in("globex", "admin@globex.example").browser
    assert globex.get(app.url("/admin/"), allow_redirects=False, timeout=15).status_code == 403  # not staff
    # Their own tenant: fine.
    response = app.post(globex, ROLES, {**form_of(app, globex), "scope-user": "Admin"})
    assert response.status_code == 302
    # acme's, by the tenant field: refused, nothing changed.
    response = app.post(globex, ROLES, {**form_of(app, globex), "tenant": "acme", "scope-user": "Admin"})
    assert response.status_code == 400 and "for another tenant" in response.text

    acme_user = app.sign_in("acme", "user@acme.example")
    assert urlsplit(acme_user.final.url).path == "/home/user/"
    for path in ("/home/admin/", "/admin/", ROLES):
        assert acme_user.browser.get(app.url(path), allow_redirects=False, timeout=15).status_code == 403
    # The same email in acme is another person, untouched by globex's mapping: a User there.
    consultant = app.sign_in("acme", "consultant@example.com")
    assert urlsplit(consultant.final.url).path == "/home/user/"
    assert not ScopeRoleMapping.objects.filter(tenant="acme").exists()


def test_an_acme_admins_change_reaches_acme_users_at_their_next_check(app):
    user = app.sign_in("acme", "user@acme.example").browser
    assert user.get(app.url("/home/admin/"), allow_redirects=False, timeout=15).status_code == 403
    admin = app.sign_in("acme", "admin@acme.example").browser
    assert app.post(admin, ROLES, {**form_of(app, admin), "scope-user": "Admin"}).status_code == 302
    assert session_check(app, user).status_code == 204  # still signed in
    assert user.get(app.url("/"), allow_redirects=False, timeout=15).headers["Location"] == "/home/admin/"
    assert not ScopeRoleMapping.objects.filter(tenant="globex").exists()  # globex is untouched
    assert app.post(admin, ROLES + "reset/", form_of(app, admin)).status_code == 302
    assert user.get(app.url("/home/admin/"), allow_redirects=False, timeout=15).status_code == 403


def test_a_subtenants_admin_signs_in_as_a_user_and_manages_nothing(app):
    """The demo's subtenant admin: MindSphere gives them acme's admin scope, the app no power over acme."""
    north = app.sign_in("acme", "north-admin@acme.example")
    assert urlsplit(north.final.url).path == "/home/user/"
    for path in ("/home/admin/", "/admin/", ROLES):
        assert north.browser.get(app.url(path), allow_redirects=False, timeout=15).status_code == 403
    own_form = {"tenant": "acme", "version": "0", "scope-admin": "Admin", "scope-user": ""}
    response = app.post(north.browser, ROLES, own_form)
    assert response.status_code == 403
    assert not ScopeRoleMapping.objects.filter(tenant="acme").exists()
    account = north.browser.get(app.url("/account/"), timeout=15).text
    assert "acme / windpark-north" in account  # who they are, as MindSphere says
    # acme's own admin manages acme, and sees the subtenant's people as such.
    admin = app.sign_in("acme", "admin@acme.example").browser
    people = admin.get(app.url(ROLES), timeout=15).text.replace("<wbr>", "")
    assert "north-admin@acme.example" in people and "Subtenant windpark-north" in people
