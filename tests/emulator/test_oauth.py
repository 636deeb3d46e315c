"""The emulator's PIAM sign-in over real HTTP: code flow with PKCE, refusals, refresh, lifetimes, logout."""

from __future__ import annotations

from urllib.parse import parse_qs, quote_plus, urlsplit

import jwt
import pytest
import requests

from tests.oauth_client import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    authorize,
    exchange,
    refresh,
    sign_in,
    start,
    submit_credentials,
    token_request,
)

ADMIN = ["mobilestarter.admin", "mobilestarter.user"]
USER = ["mobilestarter.user"]

# (tenant, email, app scopes, core role): the demo world, as README.md's demo users table lists it.
DEMO_USERS = [
    ("acme", "admin@acme.example", ADMIN, "mdsp:core:TenantAdmin"),
    ("acme", "user@acme.example", USER, "mdsp:core:StandardUser"),
    ("acme", "norole@acme.example", [], "mdsp:core:StandardUser"),
    ("acme", "consultant@example.com", USER, "mdsp:core:StandardUser"),
    ("globex", "admin@globex.example", ADMIN, "mdsp:core:TenantAdmin"),
    ("globex", "consultant@example.com", ADMIN, "mdsp:core:StandardUser"),
]


def claims(token: str) -> dict:
    """The access token's claims, unverified (for tests that only look at them)."""
    return jwt.decode(token, options={"verify_signature": False})


def verified(emulator, tenant: str, token: str) -> dict:
    """The claims, after checking the signature against the tenant's /token_keys as an app would."""
    keys = jwt.PyJWKClient(f"{emulator.url}/{tenant}/token_keys", cache_keys=False)
    key = keys.get_signing_key_from_jwt(token)
    return jwt.decode(
        token, key.key, algorithms=["RS256"], audience=CLIENT_ID, issuer=f"{emulator.url}/{tenant}/oauth/token"
    )


def token_keys(emulator, tenant: str) -> list[dict]:
    response = requests.get(f"{emulator.url}/{tenant}/token_keys", timeout=10)
    response.raise_for_status()
    return response.json()["keys"]


def error_of(response: requests.Response) -> str:
    return response.json()["error"]


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


# --- the full code flow ---------------------------------------------------------------------------


@pytest.mark.parametrize(("tenant", "email", "app_scopes", "core_role"), DEMO_USERS)
def test_code_flow_issues_a_mindsphere_token(emulator, tenant, email, app_scopes, core_role):
    authorization = authorize(emulator, tenant, email)
    assert authorization.code and authorization.error is None
    assert authorization.location.startswith(REDIRECT_URI)
    assert authorization.state == authorization.oauth._state

    token = exchange(emulator, tenant, authorization)
    assert token["token_type"].lower() == "bearer"
    assert token["expires_in"] == 1800
    assert token["refresh_token"]
    data = verified(emulator, tenant, token["access_token"])

    assert data["email"] == email
    assert data["ten"] == tenant
    assert data["zid"] == tenant
    assert data["user_id"]
    assert data["client_id"] == CLIENT_ID
    assert CLIENT_ID in (data["aud"] if isinstance(data["aud"], list) else [data["aud"]])
    assert data["iss"] == f"{emulator.url}/{tenant}/oauth/token"
    assert data["exp"] - data["iat"] == 1800
    assert data["jti"]
    assert isinstance(data["scope"], list)
    assert sorted(scope for scope in data["scope"] if not scope.startswith("mdsp:core:")) == app_scopes
    assert [scope for scope in data["scope"] if scope.startswith("mdsp:core:")] == [core_role]
    assert data["grant_type"] == "authorization_code"


def test_the_demo_subtenants_people_carry_their_subtenant(in_emulator):
    in_emulator("demo_subtenant_people")


def test_token_verifies_with_the_pem_in_value(emulator):
    token = sign_in(emulator, "acme", "user@acme.example")["access_token"]
    kid = jwt.get_unverified_header(token)["kid"]
    (key,) = [key for key in token_keys(emulator, "acme") if key["kid"] == kid]
    assert key["kty"] == "RSA" and key["alg"] == "RS256"
    assert key["value"].startswith("-----BEGIN PUBLIC KEY-----")
    data = jwt.decode(token, key["value"], algorithms=["RS256"], audience=CLIENT_ID)
    assert data["ten"] == "acme"


def test_token_of_one_tenant_does_not_verify_with_another_tenants_keys(emulator):
    token = sign_in(emulator, "acme", "admin@acme.example")["access_token"]
    with pytest.raises(jwt.PyJWKClientError):
        verified(emulator, "globex", token)  # no key of globex has acme's kid
    for key in token_keys(emulator, "globex"):
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, key["value"], algorithms=["RS256"], audience=CLIENT_ID)


def test_the_same_email_in_two_tenants_is_two_people(emulator):
    in_acme = claims(sign_in(emulator, "acme", "consultant@example.com")["access_token"])
    in_globex = claims(sign_in(emulator, "globex", "consultant@example.com")["access_token"])
    assert in_acme["user_id"] != in_globex["user_id"]
    assert (in_acme["ten"], in_globex["ten"]) == ("acme", "globex")


def test_every_token_has_its_own_jti(emulator):
    first = claims(sign_in(emulator, "acme", "user@acme.example")["access_token"])
    second = claims(sign_in(emulator, "acme", "user@acme.example")["access_token"])
    assert first["jti"] != second["jti"]
    assert first["user_id"] == second["user_id"]


def test_loopback_redirect_uri_may_use_any_port(emulator):
    other_port = "http://127.0.0.1:54321/accounts/mindsphere/login/callback/"
    authorization = authorize(emulator, "acme", "user@acme.example", redirect_uri=other_port)
    assert authorization.code and authorization.location.startswith(other_port)
    response = token_request(emulator, "acme", authorization, redirect_uri=other_port)
    assert response.status_code == 200, response.text


# --- refusals: authorize ----------------------------------------------------------------------------


def authorize_url(emulator, tenant: str = "acme", **params: str) -> str:
    """An authorize URL with hand-made parameters (for what requests-oauthlib would not send)."""
    query = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "state": "xyz"}
    query.update(params)
    return requests.Request("GET", f"{emulator.url}/{tenant}/oauth/authorize", params=query).prepare().url


@pytest.mark.parametrize(
    "pkce",
    [{}, {"code_challenge": "x" * 43}, {"code_challenge": "x" * 43, "code_challenge_method": "plain"}],
    ids=["no-challenge", "no-method-means-plain", "plain"],
)
def test_authorize_without_s256_redirects_with_invalid_request(emulator, pkce):
    response = requests.get(authorize_url(emulator, **pkce), allow_redirects=False, timeout=10)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    query = query_of(location)
    assert query["error"] == "invalid_request"
    assert query["state"] == "xyz"
    assert "code" not in query


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/accounts/mindsphere/login/callback/",
        "http://127.0.0.1:8000/somewhere/else/",
        "http://127.0.0.1:8000/accounts/mindsphere/login/callback/?next=/x",
    ],
)
def test_authorize_with_unregistered_redirect_uri_shows_a_page(emulator, redirect_uri):
    _oauth, url = start(emulator, "acme", redirect_uri=redirect_uri)
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "refused" in response.text


def test_authorize_with_unknown_client_shows_a_page(emulator):
    _oauth, url = start(emulator, "acme", client_id="not-registered")
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_unknown_tenant_authorize_is_a_404_page_naming_it(emulator):
    _oauth, url = start(emulator, "initech")
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "initech" in response.text


def test_unknown_tenant_name_is_escaped_on_the_page(emulator):
    response = requests.get(f"{emulator.url}/%3Cb%3Ehi/oauth/authorize", timeout=10)
    assert response.status_code == 404
    assert "<b>hi" not in response.text
    assert "&lt;b&gt;hi" in response.text


@pytest.mark.parametrize(
    ("tenant", "email", "password"),
    [
        ("acme", "admin@globex.example", "demo"),  # a person of globex, at acme's form
        ("acme", "admin@acme.example", "wrong"),
        ("acme", "nobody@acme.example", "demo"),
    ],
    ids=["other-tenants-user", "wrong-password", "unknown-email"],
)
def test_failed_sign_in_shows_the_form_again(emulator, tenant, email, password):
    _oauth, url = start(emulator, tenant)
    with requests.Session() as browser:
        response = submit_credentials(browser, url, email, password)
    assert response.status_code == 401
    assert "Location" not in response.headers
    assert 'name="password"' in response.text
    assert "do not match" in response.text
    assert f"tenant {tenant}" in response.text


def test_sign_in_of_other_tenants_user_yields_no_code(emulator):
    authorization = authorize(emulator, "acme", "admin@globex.example")
    assert authorization.code is None
    assert authorization.location == ""


# --- refusals: token ----------------------------------------------------------------------------------


def test_wrong_pkce_verifier_is_invalid_grant(emulator):
    authorization = authorize(emulator, "acme", "user@acme.example")
    response = token_request(emulator, "acme", authorization, verifier="w" * 43)
    assert response.status_code == 400
    assert error_of(response) == "invalid_grant"


def test_missing_pkce_verifier_is_refused(emulator):
    authorization = authorize(emulator, "acme", "user@acme.example")
    response = requests.post(
        f"{emulator.url}/acme/oauth/token",
        data={"grant_type": "authorization_code", "code": authorization.code, "redirect_uri": REDIRECT_URI},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    assert response.status_code == 400
    assert error_of(response) in ("invalid_request", "invalid_grant")


def test_reused_code_is_refused_and_revokes_the_first_tokens(emulator):
    authorization = authorize(emulator, "acme", "user@acme.example")
    first = token_request(emulator, "acme", authorization)
    assert first.status_code == 200, first.text

    again = token_request(emulator, "acme", authorization)
    assert again.status_code == 400
    assert error_of(again) == "invalid_grant"

    refreshed = refresh(emulator, "acme", first.json()["refresh_token"])
    assert refreshed.status_code == 400
    assert error_of(refreshed) == "invalid_grant"


def test_redirect_uri_differing_at_token_step_is_invalid_grant(emulator):
    authorization = authorize(emulator, "acme", "user@acme.example")
    other = "http://127.0.0.1:9999/accounts/mindsphere/login/callback/"  # registered, but not the one used
    response = token_request(emulator, "acme", authorization, redirect_uri=other)
    assert response.status_code == 400
    assert error_of(response) == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(emulator):
    authorization = authorize(emulator, "acme", "user@acme.example")
    response = token_request(emulator, "acme", authorization, client_secret="not-the-secret")
    assert response.status_code == 401
    assert error_of(response) == "invalid_client"


def test_wrong_client_secret_via_basic_auth_is_invalid_client(emulator):
    token = sign_in(emulator, "acme", "user@acme.example")
    response = refresh(emulator, "acme", token["refresh_token"], client_secret="not-the-secret")
    assert response.status_code == 401
    assert error_of(response) == "invalid_client"


def test_unknown_tenant_token_is_a_404_json(emulator):
    response = requests.post(
        f"{emulator.url}/initech/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert "initech" in response.json()["error_description"]


def test_unknown_tenant_token_keys_is_404(emulator):
    assert requests.get(f"{emulator.url}/initech/token_keys", timeout=10).status_code == 404


def test_code_of_one_tenant_is_refused_at_another(emulator):
    authorization = authorize(emulator, "acme", "user@acme.example")
    response = token_request(emulator, "globex", authorization)
    assert response.status_code == 400
    assert error_of(response) == "invalid_grant"


def test_refresh_token_of_one_tenant_is_refused_at_another(emulator):
    token = sign_in(emulator, "acme", "user@acme.example")
    response = refresh(emulator, "globex", token["refresh_token"])
    assert response.status_code == 400
    assert error_of(response) == "invalid_grant"
    # A refresh at the wrong tenant is not a theft signal: the sign-in still works at its own tenant.
    assert refresh(emulator, "acme", token["refresh_token"]).status_code == 200


# --- refresh ------------------------------------------------------------------------------------------


def test_refresh_rotates_and_marks_the_grant_type(emulator):
    token = sign_in(emulator, "acme", "admin@acme.example")
    response = refresh(emulator, "acme", token["refresh_token"])
    assert response.status_code == 200, response.text
    renewed = response.json()
    assert renewed["refresh_token"] != token["refresh_token"]
    assert renewed["access_token"] != token["access_token"]
    assert renewed["expires_in"] == 1800
    assert 0 < renewed["refresh_token_expires_in"] <= 43200
    data = verified(emulator, "acme", renewed["access_token"])
    assert data["grant_type"] == "refresh_token"
    assert data["user_id"] == claims(token["access_token"])["user_id"]
    assert "mobilestarter.admin" in data["scope"]


def test_reusing_a_rotated_refresh_token_revokes_the_sign_in(emulator):
    token = sign_in(emulator, "acme", "user@acme.example")
    second = refresh(emulator, "acme", token["refresh_token"]).json()["refresh_token"]
    newest = refresh(emulator, "acme", second).json()["refresh_token"]

    reused = refresh(emulator, "acme", token["refresh_token"])
    assert reused.status_code == 400
    assert error_of(reused) == "invalid_grant"

    after = refresh(emulator, "acme", newest)
    assert after.status_code == 400
    assert error_of(after) == "invalid_grant"


def test_revoking_one_sign_in_leaves_others_alone(emulator):
    victim = sign_in(emulator, "acme", "user@acme.example")
    bystander = sign_in(emulator, "acme", "user@acme.example")
    refresh(emulator, "acme", victim["refresh_token"])
    assert refresh(emulator, "acme", victim["refresh_token"]).status_code == 400
    assert refresh(emulator, "acme", bystander["refresh_token"]).status_code == 200


def test_without_rotation_the_same_refresh_token_keeps_working(emulator_factory):
    server = emulator_factory(EMULATOR_ROTATE_REFRESH_TOKENS="0")
    token = sign_in(server, "acme", "user@acme.example")
    for _ in range(3):
        response = refresh(server, "acme", token["refresh_token"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["refresh_token"] == token["refresh_token"]
        assert claims(body["access_token"])["grant_type"] == "refresh_token"
        # The app reads how long the refresh token has left, rotation or not.
        assert 0 < body["refresh_token_expires_in"] <= 43200
        assert body["scope"] == "mobilestarter.user mdsp:core:StandardUser"


# --- lifetimes from the environment ----------------------------------------------------------------------


def test_access_token_lifetime_follows_the_environment(emulator_factory):
    server = emulator_factory(EMULATOR_ACCESS_TOKEN_SECONDS="5")
    token = sign_in(server, "acme", "user@acme.example")
    assert token["expires_in"] == 5
    data = claims(token["access_token"])
    assert data["exp"] - data["iat"] == 5
    renewed = refresh(server, "acme", token["refresh_token"]).json()
    assert renewed["expires_in"] == 5
    data = claims(renewed["access_token"])
    assert data["exp"] - data["iat"] == 5


def test_refresh_lifetime_counts_from_sign_in(in_emulator):
    # Refreshes work until sign-in + lifetime and never extend it: checked to the second, in-process,
    # on a clock the scenario moves (see tests/emulator/inprocess.py).
    in_emulator("refresh_lifetime_counts_from_sign_in", EMULATOR_REFRESH_TOKEN_SECONDS=100)


def test_refresh_reports_the_lifetime_left_from_sign_in(emulator_factory):
    # Over HTTP, only what no clock can upset: what is left never exceeds the lifetime nor grows.
    server = emulator_factory(EMULATOR_REFRESH_TOKEN_SECONDS="3600")
    token = sign_in(server, "acme", "user@acme.example")
    left = [token["refresh_token_expires_in"]]
    current = token["refresh_token"]
    for _ in range(2):
        response = refresh(server, "acme", current)
        assert response.status_code == 200, response.text
        current = response.json()["refresh_token"]
        left.append(response.json()["refresh_token_expires_in"])
    assert 0 < left[-1] <= left[1] <= left[0] <= 3600


def test_refresh_tokens_are_jwts_that_end_with_their_sign_in(emulator_factory):
    """As MindSphere's (UAA's): signed by the tenant, jti ending in "-r", exp = sign-in + lifetime."""
    server = emulator_factory(EMULATOR_REFRESH_TOKEN_SECONDS="3600")
    token = sign_in(server, "acme", "user@acme.example")
    first = verified(server, "acme", token["refresh_token"])
    assert first["jti"].endswith("-r") and first["ten"] == "acme"
    assert first["user_id"] == claims(token["access_token"])["user_id"]
    assert 3599 <= first["exp"] - first["iat"] <= 3600
    renewed = refresh(server, "acme", token["refresh_token"]).json()["refresh_token"]
    assert verified(server, "acme", renewed)["exp"] == first["exp"]  # never extended


@pytest.mark.parametrize(
    ("switch", "check"),
    [
        ("EMULATOR_SEND_REFRESH_EXPIRES_IN", lambda token: "refresh_token_expires_in" not in token),
        ("EMULATOR_OPAQUE_REFRESH_TOKENS", lambda token: token["refresh_token"].count(".") != 2),
        ("EMULATOR_SCOPE_AS_STRING", lambda token: isinstance(claims(token["access_token"])["scope"], str)),
    ],
)
def test_switches_for_other_conformant_servers(emulator_factory, switch, check):
    server = emulator_factory(**{switch: "0" if switch == "EMULATOR_SEND_REFRESH_EXPIRES_IN" else "1"})
    token = sign_in(server, "acme", "user@acme.example")
    assert check(token)
    renewed = refresh(server, "acme", token["refresh_token"])
    assert renewed.status_code == 200 and check(renewed.json())
    assets = requests.get(
        f"{server.gateway}/api/assetmanagement/v3/assets",
        headers={"Authorization": f"Bearer {renewed.json()['access_token']}"},
        timeout=10,
    )
    assert assets.status_code == 200  # the gateway takes a string scope too


ODD_SECRET = "s3cr+t/with=:%41 and space"


@pytest.mark.parametrize(
    ("encode", "status"),
    [(lambda value: quote_plus(value, safe=""), 200), (lambda value: value, 401)],
    ids=["form-urlencoded", "raw"],
)
def test_basic_credentials_are_form_urlencoded(emulator_factory, encode, status):
    """RFC 6749, section 2.3.1: the server decodes both parts, so '+' is a space and '%41' an 'A'."""
    server = emulator_factory(MINDSPHERE_CLIENT_SECRET=ODD_SECRET)
    authorization = authorize(server, "acme", "user@acme.example")
    token = exchange(server, "acme", authorization, client_secret=ODD_SECRET)  # secret in the form body
    response = requests.post(
        f"{server.url}/acme/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(encode(CLIENT_ID), encode(ODD_SECRET)),
        timeout=10,
    )
    assert response.status_code == status, response.text


# --- logout.do -----------------------------------------------------------------------------------------


def test_logout_ends_the_emulators_sign_in_session(emulator):
    with requests.Session() as browser:
        _oauth, url = start(emulator, "acme")
        assert submit_credentials(browser, url, "user@acme.example").status_code == 302

        _oauth, url = start(emulator, "acme")
        silent = browser.get(url, allow_redirects=False, timeout=10)
        assert silent.status_code == 302
        assert "code" in query_of(silent.headers["Location"])

        out = browser.get(f"{emulator.url}/acme/logout.do", allow_redirects=False, timeout=10)
        assert out.status_code == 200

        _oauth, url = start(emulator, "acme")
        form = browser.get(url, allow_redirects=False, timeout=10)
        assert form.status_code == 200
        assert 'name="password"' in form.text


def test_sign_in_session_is_per_tenant(emulator):
    with requests.Session() as browser:
        _oauth, url = start(emulator, "acme")
        assert submit_credentials(browser, url, "consultant@example.com").status_code == 302
        _oauth, url = start(emulator, "globex")
        form = browser.get(url, allow_redirects=False, timeout=10)
        assert form.status_code == 200
        assert 'name="password"' in form.text


@pytest.mark.parametrize("target", ["http://127.0.0.1:8000/", "http://127.0.0.1:41234/"])
@pytest.mark.parametrize("client", [{}, {"client_id": CLIENT_ID}])
def test_logout_redirects_to_a_registered_uri(emulator, target, client):
    # As Cloud Foundry UAA: `redirect`, checked against the client's URIs or the logout whitelist.
    response = requests.get(
        f"{emulator.url}/acme/logout.do", params={"redirect": target, **client}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_logout_with_client_id_accepts_the_clients_redirect_uris(emulator):
    callback = "http://127.0.0.1:41234/accounts/mindsphere/login/callback/"
    response = requests.get(
        f"{emulator.url}/acme/logout.do",
        params={"redirect": callback, "client_id": CLIENT_ID},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302 and response.headers["Location"] == callback
    unknown_client = requests.get(
        f"{emulator.url}/acme/logout.do",
        params={"redirect": callback, "client_id": "nobody"},
        allow_redirects=False,
        timeout=10,
    )
    assert unknown_client.status_code == 200 and "Location" not in unknown_client.headers


def test_logout_ignores_redirect_uri_as_uaa_does(emulator):
    response = requests.get(
        f"{emulator.url}/acme/logout.do",
        params={"redirect_uri": "http://127.0.0.1:8000/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 200
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "http://127.0.0.1:8000/elsewhere", "//evil.example/", "http://evil.example:8000/"],
)
def test_logout_does_not_redirect_to_an_unregistered_uri(emulator, target):
    response = requests.get(
        f"{emulator.url}/acme/logout.do", params={"redirect": target}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "not registered" in response.text
