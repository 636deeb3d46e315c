"""Over real HTTP (emulator + live app): a role removed in MindSphere stops counting for privileged pages and
actions within the access token's lifetime, even for a client that never runs the session check.

The app's clock is moved with time_machine past the point where the access token is due (its last
`MINDSPHERE_TOKEN_LEEWAY` seconds); the emulator keeps real time, so the token it issues then is valid.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from sso.models import MappingChange, ScopeRoleMapping, TokenRecord
from tests.tenantadmin.test_end_to_end import form_of

ROLES = "/manage/roles/"
ADMIN = "admin@acme.example"
# Past the refresh point of a 30-minute access token (120 s leeway), before the token the emulator issues then expires.
DUE = timedelta(minutes=29)


def status(app, browser, path: str) -> int:
    return browser.get(app.url(path), allow_redirects=False, timeout=30).status_code


def refreshes(server) -> int:
    return server.stats()["tenants"].get("acme", {}).get("refreshes", 0)


def test_an_admin_scope_removed_in_mindsphere_closes_roles_and_the_admin(short_lived, settings):
    settings.MINDSPHERE_OPERATOR_TENANTS = ["acme"]  # acme's admins are operators too: /admin/ as well
    app, server = short_lived()
    admin = app.sign_in("acme", ADMIN).browser
    form = form_of(app, admin)
    assert status(app, admin, "/admin/sso/scoperolemapping/") == 200

    server.set_app_scopes("acme", ADMIN, ["user"])  # a tenant admin takes the role away in MindSphere's Settings
    # Until the access token is due the app cannot know: it is valid, and MindSphere is not asked.
    assert status(app, admin, ROLES) == 200 and refreshes(server) == 0

    with time_machine.travel(timezone.now() + DUE, tick=True):
        # No session check, no page that calls MindSphere: the privileged action itself checks the token.
        response = app.post(admin, ROLES, {**form, "scope-user": "Admin"})
        assert response.status_code == 403
        assert refreshes(server) == 1
        for path in (ROLES, "/home/admin/", "/admin/", "/admin/sso/scoperolemapping/"):
            assert status(app, admin, path) == 403, path
        assert status(app, admin, "/home/user/") == 200  # still signed in, as the User they still are
        added = app.post(
            admin, "/admin/sso/scoperolemapping/add/", {"scope": "extra", "group": Group.objects.get(name="User").pk}
        )
        assert added.status_code == 403
    assert not ScopeRoleMapping.objects.filter(tenant="acme").exists()
    assert not ScopeRoleMapping.objects.filter(scope="extra").exists()
    assert not MappingChange.objects.exists()


def test_an_admin_still_admin_in_mindsphere_saves_after_the_refresh(short_lived):
    app, server = short_lived()
    admin = app.sign_in("acme", ADMIN).browser
    form = form_of(app, admin)
    with time_machine.travel(timezone.now() + DUE, tick=True):
        assert app.post(admin, ROLES, {**form, "scope-user": "Admin"}).status_code == 302
        assert refreshes(server) == 1
    assert ScopeRoleMapping.objects.filter(tenant="acme", scope="user", group__name="Admin").exists()


def test_a_refresh_mindsphere_refuses_signs_out_at_a_privileged_action(short_lived):
    app, server = short_lived()
    admin = app.sign_in("acme", ADMIN).browser
    form = form_of(app, admin)
    server.fault(mode="invalid_grant", calls=1, tenant="acme")
    with time_machine.travel(timezone.now() + DUE, tick=True):
        response = app.post(admin, ROLES, {**form, "scope-user": "Admin"})
        assert (response.status_code, response.headers["Location"]) == (302, "/")
        assert not TokenRecord.objects.exists()
        page = admin.get(app.url("/"), timeout=30).text
        assert "Your MindSphere session has ended" in page
    assert not ScopeRoleMapping.objects.filter(tenant="acme").exists()
