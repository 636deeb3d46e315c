"""The Launchpad entrance's sign-in from the gateway's bearer token (sso.bearer), request by request.

Tokens are signed with the emulator's real tenant keys (tests/sso/test_verification.py reads them),
so only the claim under test is wrong; the keys are fetched from the running emulator over HTTP.
"""

from __future__ import annotations

import time

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sso import tenants, verification
from sso.bearer import GATEWAY_SESSION_KEY
from sso.models import MindSphereIdentity
from tests.people import make_person, roles_of
from tests.sso.test_verification import new_private_pem, rs256, tenant_key

ADMIN = ["mobilestarter.admin", "mobilestarter.user"]
USER = ["mobilestarter.user"]


@pytest.fixture
def gateway(settings, emulator, db):
    """Gateway sign-in on, the app's sign-in pointed at the shared emulator."""
    settings.MINDSPHERE_GATEWAY_SIGN_IN = True
    settings.MINDSPHERE_AUTH_URL = emulator.url + "/{tenant}"
    cache.clear()  # verified tokens of other tests (the same claims in the same second sign alike)
    verification.clear_key_cache()
    yield emulator
    verification.clear_key_cache()


def claims_of(tenant: str = "acme", user: str = "admin", scope: list[str] | None = None, **extra) -> dict:
    now = int(time.time())
    return {
        "ten": tenant,
        "user_id": f"{user}-{tenant}-id",
        "user_name": f"{user}@{tenant}.example",
        "email": f"{user}@{tenant}.example",
        "scope": ADMIN if scope is None else scope,
        "client_id": "gateway",
        "cid": "gateway",
        "iss": tenants.issuer(tenant),
        "iat": now,
        "exp": now + 1800,
        **extra,
    }


def token(emulator, claims: dict, signer: str | None = None) -> str:
    """The claims signed with the key of `signer` (default: the token's own tenant)."""
    key = tenant_key(emulator, signer or claims["ten"])
    return rs256(claims, key.private_pem, key.kid)


def bearer(value: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}


def test_a_gateway_request_signs_its_person_in_on_their_role_home(client, gateway):
    response = client.get("/", **bearer(token(gateway, claims_of())), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/home/admin/"
    identity = MindSphereIdentity.objects.get(tenant="acme", mindsphere_user_id="admin-acme-id")
    assert identity.email == "admin@acme.example"
    assert roles_of(identity.user) == {"Admin", "User"}
    # allauth's sign-in (the phone entrance) finds the same person by this account.
    assert SocialAccount.objects.get(user=identity.user).uid == "acme:admin-acme-id"
    saved = client.session[GATEWAY_SESSION_KEY]
    assert (saved["tenant"], saved["user_id"]) == ("acme", "admin-acme-id")
    assert "token" in saved and saved["token"] != token(gateway, claims_of())  # a hash, never the token


def test_the_same_token_again_keeps_the_session_and_reads_no_user(client, gateway):
    value = token(gateway, claims_of())
    client.get("/sso/session/", **bearer(value))
    key = client.session.session_key
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sso/session/", **bearer(value))
    assert response.status_code == 204
    assert client.session.session_key == key
    assert len(queries) == 1  # the session; the token's verification is cached, the user not loaded


def test_the_check_behind_the_gateway_refreshes_nothing(client, gateway):
    # No token record exists for a gateway session: a check that tried a refresh would sign out.
    assert client.get("/sso/session/", **bearer(token(gateway, claims_of()))).status_code == 204
    assert client.get("/sso/session/", **bearer(token(gateway, claims_of(iat=int(time.time()) - 1)))).status_code == 204


def test_a_token_of_another_person_switches_the_session_to_them(client, gateway):
    client.get("/", **bearer(token(gateway, claims_of(user="admin"))))
    first = client.session[SESSION_KEY]
    response = client.get("/", **bearer(token(gateway, claims_of(tenant="globex", user="user", scope=USER))))
    assert response.status_code == 302 and response["Location"] == "/home/user/"
    assert client.session[SESSION_KEY] != first
    assert client.session[GATEWAY_SESSION_KEY]["tenant"] == "globex"


def test_a_gateway_session_reached_without_a_token_is_over(client, gateway):
    client.get("/", **bearer(token(gateway, claims_of())))
    response = client.get("/home/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/?next=")
    assert SESSION_KEY not in client.session


def test_a_gateway_session_is_over_once_gateway_sign_in_is_turned_off(client, gateway, settings):
    client.get("/", **bearer(token(gateway, claims_of())))
    settings.MINDSPHERE_GATEWAY_SIGN_IN = False
    response = client.get("/home/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/?next=")


def test_the_phone_entrance_is_unchanged_without_a_token(client, gateway):
    from tests.people import sign_in

    sign_in(client, make_person("acme", "user"), tokens=True)
    assert client.get("/home/user/").status_code == 200


def test_the_person_of_the_phone_entrance_is_the_same_person_behind_the_gateway(client, gateway):
    person = make_person("acme", "user")
    claims = claims_of(scope=USER, user_id=person.mindsphere.mindsphere_user_id, email=person.email)
    client.get("/", **bearer(token(gateway, claims)))
    assert client.session[SESSION_KEY] == str(person.pk)


def test_a_renewed_token_with_other_scopes_changes_the_roles(client, gateway):
    client.get("/", **bearer(token(gateway, claims_of())))
    user = MindSphereIdentity.objects.get(mindsphere_user_id="admin-acme-id").user
    assert client.get("/manage/roles/", **bearer(token(gateway, claims_of()))).status_code == 200
    renewed = token(gateway, claims_of(scope=USER, exp=int(time.time()) + 1799))
    assert client.get("/manage/roles/", **bearer(renewed)).status_code == 403
    assert roles_of(user) == {"User"}


def test_a_subtenant_person_keeps_the_claim_and_never_administers(client, gateway):
    client.get("/", **bearer(token(gateway, claims_of(subtenant="windpark-north"))))
    identity = MindSphereIdentity.objects.get(mindsphere_user_id="admin-acme-id")
    assert identity.subtenant == "windpark-north"
    assert roles_of(identity.user) == {"User"}
    assert client.session["_mindsphere_identity"]["subtenant"] == "windpark-north"


def forged(gateway) -> str:
    key = tenant_key(gateway, "acme")
    return rs256(claims_of(), new_private_pem(), key.kid)


REFUSED = {
    "forged": (forged, 401),
    "another app": (lambda gateway: token(gateway, claims_of(scope=["otherapp.user", "otherapp.admin"])), 403),
    "expired": (
        lambda gateway: token(gateway, claims_of(iat=int(time.time()) - 4000, exp=int(time.time()) - 600)),
        401,
    ),
    "another tenant's issuer": (lambda gateway: token(gateway, claims_of(iss=tenants.issuer("globex")), "acme"), 401),
    "signed by another tenant": (lambda gateway: token(gateway, claims_of(), signer="globex"), 401),
    "not a token": (lambda gateway: "not-a-jwt", 401),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_refused_token_gets_a_clear_page_and_signs_no_one_in(client, gateway, case):
    make, status = REFUSED[case]
    response = client.get("/home/admin/", **bearer(make(gateway)))
    assert response.status_code == status
    text = response.content.decode()
    assert "sign-in was refused" in text
    assert ("another MindSphere app" in text) == (status == 403)
    assert SESSION_KEY not in client.session
    assert not MindSphereIdentity.objects.exists()


def test_a_refused_token_ends_the_gateway_session_it_arrives_in(client, gateway):
    client.get("/", **bearer(token(gateway, claims_of())))
    assert client.get("/", **bearer(forged(gateway))).status_code == 401
    assert SESSION_KEY not in client.session


def test_json_clients_get_the_refusal_as_json(client, gateway):
    response = client.get("/sso/session/", HTTP_ACCEPT="application/json", **bearer(forged(gateway)))
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"


def test_a_tenant_this_app_is_not_for_is_refused(client, gateway, settings):
    settings.MINDSPHERE_ALLOWED_TENANTS = ["globex"]
    assert client.get("/", **bearer(token(gateway, claims_of()))).status_code == 401


def test_with_gateway_sign_in_off_the_header_is_ignored(client, gateway, settings):
    settings.MINDSPHERE_GATEWAY_SIGN_IN = False
    response = client.get("/home/admin/", **bearer(token(gateway, claims_of())))
    assert response.status_code == 302 and SESSION_KEY not in client.session


# --- The OS Bar (sso.osbar) --------------------------------------------------------------------------


def test_a_gateway_page_loads_the_os_bar_and_leaves_sign_out_to_it(client, gateway, settings):
    settings.MINDSPHERE_REGION = "eu2"
    page = client.get("/account/", **bearer(token(gateway, claims_of()))).content.decode()
    assert '<script src="https://static.eu2.mindsphere.io/osbar/v4/js/main.min.js" defer></script>' in page
    assert 'data-app-info="/sso/app-info.json"' in page and "sso/osbar" in page
    assert '<div id="_mdspcontent">' in page
    assert "/sso/logout/" not in page  # one way out: the OS Bar's, which ends the gateway's session


def test_a_page_of_the_phone_entrance_has_no_os_bar(client, gateway):
    from tests.people import sign_in

    sign_in(client, make_person("acme", "user"), tokens=True)
    page = client.get("/account/").content.decode()
    assert "mindsphere.io/osbar" not in page and "sso/osbar" not in page
    assert "/sso/logout/" in page


def test_the_app_info_names_the_app_and_its_version(client, settings):
    settings.MINDSPHERE_APP_VERSION = "2.3.4"
    settings.MINDSPHERE_SUPPORT_URL = "https://support.example/"
    info = client.get("/sso/app-info.json").json()
    assert info["displayName"] == "MindSphere Mobile Starter"
    assert info["appVersion"] == "2.3.4"
    assert info["appCopyright"]
    assert info["links"]["default"] == [{"type": "Www", "name": "Support", "value": "https://support.example/"}]


@pytest.mark.parametrize("on", [True, False])
def test_the_csp_names_the_os_bar_origin_only_with_gateway_sign_in_on(client, settings, on):
    settings.MINDSPHERE_GATEWAY_SIGN_IN = on
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    for name in ("script-src", "style-src", "connect-src"):
        assert ("https://static.eu1.mindsphere.io" in directives[name]) is on
    assert "mindsphere.io" not in directives["frame-ancestors"]


def test_a_view_with_its_own_policy_keeps_it_next_to_the_os_bar(settings):
    from tests.test_security import HEADER, serve, updated

    settings.MINDSPHERE_GATEWAY_SIGN_IN = True
    policy = serve(updated)[HEADER]
    assert "img-src 'self' data: https://tiles.example https://static.eu1.mindsphere.io" in policy


def test_an_os_bar_on_the_gateways_own_origin_needs_nothing_more_in_the_csp(client, settings):
    settings.MINDSPHERE_GATEWAY_SIGN_IN = True
    settings.MINDSPHERE_OSBAR_URL = "/_gateway/osbar/v4/js/main.min.js"
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and "mindsphere.io" not in policy


@pytest.mark.parametrize("url", ["/home/user/", "/account/"])
def test_a_page_through_the_gateway_costs_the_queries_it_costs_on_the_phone_entrance(client, gateway, url):
    from django.test import Client

    from tests.people import sign_in

    person = make_person("acme", "user")
    sign_in(client, person, tokens=True)
    client.get(url)
    with CaptureQueriesContext(connection) as phone:
        assert client.get(url).status_code == 200
    through_gateway = Client()
    claims = claims_of(scope=USER, user_id=person.mindsphere.mindsphere_user_id, email=person.email)
    headers = bearer(token(gateway, claims))
    through_gateway.get(url, **headers)  # the first request signs in
    with CaptureQueriesContext(connection) as gateway_queries:
        assert through_gateway.get(url, **headers).status_code == 200
    assert len(gateway_queries) <= len(phone), [query["sql"] for query in gateway_queries]
