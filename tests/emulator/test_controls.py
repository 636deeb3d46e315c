"""The emulator's test controls over real HTTP: /_emulator/stats, /_emulator/faults and users' scopes."""

from __future__ import annotations

import jwt
import pytest
import requests

from tests.oauth_client import authorize, refresh, sign_in, start, submit_credentials, token_request

KINDS = [
    "authorization_codes",
    "code_exchanges",
    "code_exchange_failures",
    "refreshes",
    "refresh_failures",
    "technical_tokens",
    "technical_token_failures",
]


def counts(emulator, tenant: str) -> dict[str, int]:
    """The tenant's counts, every kind present (a tenant with no events yet counts zeros)."""
    return {kind: emulator.stats()["tenants"].get(tenant, {}).get(kind, 0) for kind in KINDS}


def expected(**changes: int) -> dict[str, int]:
    return {kind: changes.get(kind, 0) for kind in KINDS}


def faults_url(emulator) -> str:
    return f"{emulator.url}/_emulator/faults"


def active_faults(emulator) -> list[dict]:
    response = requests.get(faults_url(emulator), timeout=10)
    response.raise_for_status()
    return response.json()["faults"]


# --- stats ----------------------------------------------------------------------------------------------


def test_stats_count_each_kind_of_grant_by_tenant(clean_emulator):
    emulator = clean_emulator
    emulator.reset_stats()
    assert emulator.stats() == {"tenants": {}, "total": dict.fromkeys(KINDS, 0)}

    authorization = authorize(emulator, "acme", "user@acme.example")
    assert counts(emulator, "acme") == expected(authorization_codes=1)

    first = token_request(emulator, "acme", authorization)
    assert first.status_code == 200
    assert counts(emulator, "acme") == expected(authorization_codes=1, code_exchanges=1)

    assert token_request(emulator, "acme", authorization).status_code == 400  # the code again
    assert counts(emulator, "acme") == expected(authorization_codes=1, code_exchanges=1, code_exchange_failures=1)

    token = sign_in(emulator, "acme", "admin@acme.example")
    assert refresh(emulator, "acme", token["refresh_token"]).status_code == 200
    assert refresh(emulator, "acme", "not-a-refresh-token").status_code == 400
    assert counts(emulator, "acme") == expected(
        authorization_codes=2, code_exchanges=2, code_exchange_failures=1, refreshes=1, refresh_failures=1
    )
    assert "globex" not in emulator.stats()["tenants"]

    sign_in(emulator, "globex", "admin@globex.example")
    assert counts(emulator, "globex") == expected(authorization_codes=1, code_exchanges=1)
    assert emulator.stats()["total"] == expected(
        authorization_codes=3, code_exchanges=3, code_exchange_failures=1, refreshes=1, refresh_failures=1
    )


def test_failed_sign_in_and_refused_authorize_count_no_code(clean_emulator):
    emulator = clean_emulator
    before = counts(emulator, "acme")
    _oauth, url = start(emulator, "acme")
    with requests.Session() as browser:
        assert submit_credentials(browser, url, "user@acme.example", "wrong").status_code == 401
    assert requests.get(f"{emulator.url}/acme/oauth/authorize?client_id=nobody", timeout=10).status_code == 400
    assert counts(emulator, "acme") == before


def test_delete_resets_stats(clean_emulator):
    emulator = clean_emulator
    sign_in(emulator, "acme", "user@acme.example")
    assert emulator.stats()["total"]["code_exchanges"] >= 1
    response = requests.delete(f"{emulator.url}/_emulator/stats", timeout=10)
    assert response.status_code == 204
    assert emulator.stats() == {"tenants": {}, "total": dict.fromkeys(KINDS, 0)}


def test_stats_refuse_other_methods(emulator):
    assert requests.post(f"{emulator.url}/_emulator/stats", timeout=10).status_code == 405


# --- faults ---------------------------------------------------------------------------------------------


def test_503_for_a_number_of_calls_then_normal(clean_emulator):
    emulator = clean_emulator
    token = sign_in(emulator, "acme", "user@acme.example")
    emulator.reset_stats()
    fault = emulator.fault(mode="503", calls=2)
    assert fault["mode"] == "503" and fault["remaining_calls"] == 2

    for remaining in (1, 0):
        response = refresh(emulator, "acme", token["refresh_token"])
        assert response.status_code == 503
        assert response.headers["Retry-After"].isdigit()
        assert response.json()["error"] == "temporarily_unavailable"
        listed = active_faults(emulator)
        assert [item["remaining_calls"] for item in listed] == ([remaining] if remaining else [])

    # The refused calls did not use up the refresh token.
    assert refresh(emulator, "acme", token["refresh_token"]).status_code == 200
    assert counts(emulator, "acme") == expected(refreshes=1, refresh_failures=2)


def test_503_leaves_the_code_redeemable(clean_emulator):
    emulator = clean_emulator
    authorization = authorize(emulator, "acme", "user@acme.example")
    emulator.fault(mode="503", calls=1)
    assert token_request(emulator, "acme", authorization).status_code == 503
    assert token_request(emulator, "acme", authorization).status_code == 200


def test_429_fault_at_the_token_endpoint_and_the_gateway(clean_emulator):
    emulator = clean_emulator
    token = sign_in(emulator, "acme", "user@acme.example")
    emulator.fault(mode="429", calls=1)
    response = refresh(emulator, "acme", token["refresh_token"])
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert refresh(emulator, "acme", token["refresh_token"]).status_code == 200
    emulator.fault(mode="429", target="gateway", calls=1)
    url = f"{emulator.gateway}/api/assetmanagement/v3/assets"
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    limited = requests.get(url, headers=headers, timeout=10)
    assert limited.status_code == 429 and limited.json()["errors"][0]["code"] == "mdsp.core.gateway.tooManyRequests"
    assert requests.get(url, headers=headers, timeout=10).status_code == 200


def test_invalid_grant_fault(clean_emulator):
    emulator = clean_emulator
    token = sign_in(emulator, "acme", "user@acme.example")
    emulator.fault(mode="invalid_grant", calls=1)
    response = refresh(emulator, "acme", token["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert refresh(emulator, "acme", token["refresh_token"]).status_code == 200


def test_hang_holds_the_next_call_then_answers(clean_emulator):
    emulator = clean_emulator
    token = sign_in(emulator, "acme", "user@acme.example")
    emulator.fault(mode="hang", hang_seconds=1, calls=1)
    response = refresh(emulator, "acme", token["refresh_token"])  # held, then answered normally
    assert response.status_code == 200, response.text
    assert active_faults(emulator) == []  # the one call is used up
    assert refresh(emulator, "acme", response.json()["refresh_token"]).status_code == 200


def test_hang_delays_only_the_next_call(in_emulator):
    # How long each call is held, exactly: in-process, with the emulator's sleep recorded.
    in_emulator("token_hang_delays_only_the_next_call")


def test_hang_makes_a_client_time_out(clean_emulator):
    emulator = clean_emulator
    token = sign_in(emulator, "acme", "user@acme.example")
    # The server holds the call for 5 s whatever the load, so a 1 s client timeout always expires.
    emulator.fault(mode="hang", hang_seconds=5, calls=1)
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{emulator.url}/acme/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
            auth=("mobilestarter-local", "local-dev-secret"),
            timeout=1,
        )


def test_fault_for_a_time_is_not_used_up_by_calls(clean_emulator):
    emulator = clean_emulator
    token = sign_in(emulator, "acme", "user@acme.example")
    fault = emulator.fault(mode="503", seconds=600)
    assert fault["until"] and fault["remaining_calls"] is None
    for _ in range(3):
        assert refresh(emulator, "acme", token["refresh_token"]).status_code == 503
    assert [item["id"] for item in active_faults(emulator)] == [fault["id"]]


def test_fault_expires_by_time(in_emulator):
    # 503 until `seconds` have passed, then normal: in-process, on a clock the scenario moves.
    in_emulator("fault_expires_by_time")


def test_tenant_scoped_fault_hits_only_that_tenant(clean_emulator):
    emulator = clean_emulator
    acme = sign_in(emulator, "acme", "user@acme.example")
    globex = sign_in(emulator, "globex", "admin@globex.example")
    fault = emulator.fault(mode="503", calls=1, tenant="globex")
    assert fault["tenant"] == "globex"

    assert refresh(emulator, "acme", acme["refresh_token"]).status_code == 200
    assert active_faults(emulator)[0]["remaining_calls"] == 1  # acme's call did not use it up
    assert refresh(emulator, "globex", globex["refresh_token"]).status_code == 503
    assert refresh(emulator, "globex", globex["refresh_token"]).status_code == 200


def test_fault_without_limits_lasts_until_cleared(clean_emulator):
    emulator = clean_emulator
    token = sign_in(emulator, "acme", "user@acme.example")
    emulator.fault(mode="503")
    for _ in range(3):
        assert refresh(emulator, "acme", token["refresh_token"]).status_code == 503
    response = requests.delete(faults_url(emulator), timeout=10)
    assert response.status_code == 204
    assert active_faults(emulator) == []
    assert refresh(emulator, "acme", token["refresh_token"]).status_code == 200


def test_get_lists_active_faults(clean_emulator):
    emulator = clean_emulator
    assert active_faults(emulator) == []
    first = emulator.fault(mode="503", calls=2)
    second = emulator.fault(mode="hang", hang_seconds=0.5, tenant="acme")
    listed = active_faults(emulator)
    assert listed == [first, second]
    assert listed[1] == {
        "id": second["id"],
        "mode": "hang",
        "target": "token",
        "tenant": "acme",
        "remaining_calls": None,
        "until": None,
        "hang_seconds": 0.5,
        "path": None,
    }


def test_faults_apply_in_the_order_they_were_set(clean_emulator):
    emulator = clean_emulator
    token = sign_in(emulator, "acme", "user@acme.example")
    emulator.fault(mode="invalid_grant", calls=1)
    emulator.fault(mode="503", calls=1)
    assert refresh(emulator, "acme", token["refresh_token"]).status_code == 400
    assert refresh(emulator, "acme", token["refresh_token"]).status_code == 503
    assert refresh(emulator, "acme", token["refresh_token"]).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'"503"',
        b"{}",
        b'{"mode": "500"}',
        b'{"mode": "503", "calls": -1}',
        b'{"mode": "503", "calls": "2"}',
        b'{"mode": "503", "calls": true}',
        b'{"mode": "503", "calls": 1.5}',
        b'{"mode": "503", "calls": 0}',
        b'{"mode": "503", "seconds": 0}',
        b'{"mode": "503", "seconds": -1}',
        b'{"mode": "hang"}',
        b'{"mode": "hang", "hang_seconds": 0}',
        b'{"mode": "503", "tenant": 5}',
        b'{"mode": "503", "call": 2}',
        b'{"mode": "503", "path": "/iottimeseries/"}',  # path is for the gateway only
        b'{"mode": "429", "target": "gateway", "path": 5}',
    ],
)
def test_bad_fault_specs_are_400(clean_emulator, body):
    response = requests.post(
        faults_url(clean_emulator), data=body, headers={"Content-Type": "application/json"}, timeout=10
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert active_faults(clean_emulator) == []


def test_faults_refuse_other_methods(emulator):
    assert requests.put(faults_url(emulator), json={"mode": "503"}, timeout=10).status_code == 405


def test_gateway_faults_answer_503_then_recover(clean_emulator):
    token = sign_in(clean_emulator, "acme", "user@acme.example")["access_token"]
    url = f"{clean_emulator.url}/gateway/api/assetmanagement/v3/assets"
    headers = {"Authorization": f"Bearer {token}"}
    clean_emulator.fault(mode="503", target="gateway", calls=2, tenant="acme")
    first, second, third = (requests.get(url, headers=headers, timeout=10) for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert first.headers["Retry-After"] == "1"
    assert first.json()["errors"][0]["code"] == "mdsp.core.gateway.unavailable"
    # a gateway fault leaves the token endpoint alone
    assert (
        refresh(
            clean_emulator, "acme", sign_in(clean_emulator, "acme", "user@acme.example")["refresh_token"]
        ).status_code
        == 200
    )


def test_gateway_hang_holds_the_next_call_then_answers(clean_emulator):
    token = sign_in(clean_emulator, "acme", "user@acme.example")["access_token"]
    clean_emulator.fault(mode="hang", target="gateway", hang_seconds=1, calls=1)
    response = requests.get(
        f"{clean_emulator.url}/gateway/api/assetmanagement/v3/assets",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert active_faults(clean_emulator) == []


def test_gateway_hang_delays_only_the_next_call(in_emulator):
    in_emulator("gateway_hang_delays_only_the_next_call")


@pytest.mark.parametrize(
    "spec", [{"mode": "invalid_grant", "target": "gateway"}, {"mode": "503", "target": "elsewhere"}]
)
def test_bad_gateway_fault_specs_are_refused(clean_emulator, spec):
    response = requests.post(f"{clean_emulator.url}/_emulator/faults", json=spec, timeout=10)
    assert response.status_code == 400


# --- users' app roles -----------------------------------------------------------------------------------


def scopes_url(emulator, tenant: str, email: str) -> str:
    return f"{emulator.url}/_emulator/users/{tenant}/{email}/scopes"


def scope_claim(token: dict) -> list[str]:
    return jwt.decode(token["access_token"], options={"verify_signature": False})["scope"]


def test_put_scopes_changes_a_users_app_roles(emulator_factory):
    emulator = emulator_factory()  # a private one: this changes the demo data
    url = scopes_url(emulator, "acme", "user@acme.example")
    assert requests.get(url, timeout=10).json() == {
        "tenant": "acme",
        "email": "user@acme.example",
        "application": "mobilestarter",
        "scopes": ["user"],
    }
    earlier = sign_in(emulator, "acme", "user@acme.example")

    response = requests.put(url, json={"scopes": ["user", "admin", "admin"]}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["scopes"] == ["admin", "user"]
    assert requests.get(url, timeout=10).json()["scopes"] == ["admin", "user"]
    assert "mobilestarter.admin" in scope_claim(sign_in(emulator, "acme", "user@acme.example"))
    # Scopes are read at every refresh, so a sign-in from before the change gets them too.
    assert "mobilestarter.admin" in scope_claim(refresh(emulator, "acme", earlier["refresh_token"]).json())

    assert requests.put(url, json={"scopes": []}, timeout=10).json()["scopes"] == []
    assert scope_claim(sign_in(emulator, "acme", "user@acme.example")) == ["mdsp:core:StandardUser"]

    # Nobody else changed: not acme's admin, nor the same email in another tenant.
    assert emulator.app_scopes("acme", "admin@acme.example") == ["admin", "user"]
    assert emulator.app_scopes("globex", "consultant@example.com") == ["admin", "user"]
    assert emulator.app_scopes("acme", "consultant@example.com") == ["user"]


def test_the_test_helper_sets_scopes_over_http(emulator_factory):
    emulator = emulator_factory()
    emulator.set_app_scopes("acme", "norole@acme.example", ["user"])
    assert emulator.app_scopes("acme", "norole@acme.example") == ["user"]
    assert "mobilestarter.user" in scope_claim(sign_in(emulator, "acme", "norole@acme.example"))
    emulator.set_app_scopes("acme", "NoRole@ACME.example", [])  # emails match as at sign-in
    assert emulator.app_scopes("acme", "norole@acme.example") == []
    with pytest.raises(RuntimeError, match="owner"):
        emulator.set_app_scopes("acme", "norole@acme.example", ["owner"])


@pytest.mark.parametrize(
    ("tenant", "email", "named"),
    [
        ("initech", "user@acme.example", "initech"),
        ("acme", "nobody@acme.example", "nobody@acme.example"),
        ("acme", "admin@globex.example", "admin@globex.example"),  # a person of another tenant
    ],
)
def test_scopes_of_an_unknown_tenant_or_user_are_404(emulator, tenant, email, named):
    for response in (
        requests.get(scopes_url(emulator, tenant, email), timeout=10),
        requests.put(scopes_url(emulator, tenant, email), json={"scopes": ["user"]}, timeout=10),
    ):
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("application/json")
        assert named in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "JSON object"),
        (b"not json", "not JSON"),
        (b"[]", "JSON object"),
        (b'"user"', "JSON object"),
        (b"{}", '"scopes" is required'),
        (b'{"scopes": "user"}', "list of scope names"),
        (b'{"scopes": [1]}', "list of scope names"),
        (b'{"scopes": null}', "list of scope names"),
        (b'{"scopes": ["user", "owner"]}', "unknown scopes of mobilestarter: owner"),
        (b'{"scope": ["user"]}', "unknown keys: scope"),
        (b'{"scopes": ["user"], "application": "elsewhere"}', "no application 'elsewhere'"),
        (b'{"scopes": ["user"], "application": 5}', '"application" must be a string'),
    ],
)
def test_bad_scope_bodies_are_400_and_change_nothing(emulator, body, message):
    url = scopes_url(emulator, "acme", "user@acme.example")
    response = requests.put(url, data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert requests.get(url, timeout=10).json()["scopes"] == ["user"]


def test_scopes_refuse_other_methods(emulator):
    url = scopes_url(emulator, "acme", "user@acme.example")
    assert requests.post(url, json={"scopes": ["admin"]}, timeout=10).status_code == 405
    assert requests.delete(url, timeout=10).status_code == 405
    assert requests.get(url, timeout=10).json()["scopes"] == ["user"]


# --- assets -------------------------------------------------------------------------------------------------


def assets_url(emulator) -> str:
    return f"{emulator.url}/_emulator/assets"


def test_post_asset_adds_it_to_the_tenants_gateway(emulator_factory):
    emulator = emulator_factory()  # a private one: this changes the demo data
    aspects = [{"name": "..", "variables": [{"name": "a..b", "unit": "bar"}, {"name": "=1+2"}]}]
    added = emulator.put_asset("acme", "odd/1", "Odd one", aspects=aspects, externalId="X-1")
    assert (added["assetId"], added["name"], added["tenantId"]) == ("odd/1", "Odd one", "acme")
    assert added["aspects"] == []  # the asset shows static aspects only; these are time series
    assert added["_links"]["self"]["href"].endswith("/assets/odd%2F1")
    token = sign_in(emulator, "acme", "user@acme.example")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assets = f"{emulator.gateway}/api/assetmanagement/v3/assets"
    found = requests.get(assets, params={"filter": '{"name": "Odd one"}'}, headers=headers, timeout=10)
    found = found.json()["_embedded"]["assets"]
    assert [asset["assetId"] for asset in found] == ["odd/1"]
    # A property set named ".." is one path segment, sent encoded ("%2E%2E") so no URL parser resolves it.
    # (An entity id with "/" has no time series: the server gets the path decoded and can't tell.)
    emulator.put_asset("acme", "dots", "Dots", aspects=aspects)
    defined = requests.get(
        f"{emulator.gateway}/api/assetmanagement/v3/assets/dots/aspects", headers=headers, timeout=10
    )
    [aspect] = defined.json()["_embedded"]["aspects"]
    assert (aspect["name"], aspect["category"], [variable["name"] for variable in aspect["variables"]]) == (
        "..",
        "dynamic",
        ["a..b", "=1+2"],
    )
    series = requests.get(
        f"{emulator.gateway}/api/iottimeseries/v3/timeseries/dots/%2E%2E",
        params={"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "limit": 1000, "select": "=1+2"},
        headers=headers,
        timeout=10,
    )
    assert series.status_code == 200 and len(series.json()) == 1000 and "=1+2" in series.json()[0]
    assert "/timeseries/dots/%2E%2E?" in series.links["next"]["url"]
    replaced = emulator.put_asset("acme", "odd/1", "Odd one, renamed")
    assert replaced["name"] == "Odd one, renamed" and replaced["etag"] == added["etag"] + 1
    globex = sign_in(emulator, "globex", "admin@globex.example")["access_token"]
    other = requests.get(assets, params={"size": 100}, headers={"Authorization": f"Bearer {globex}"}, timeout=10)
    assert "odd/1" not in [asset["assetId"] for asset in other.json()["_embedded"]["assets"]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "JSON object"),
        (b"not json", "not JSON"),
        (b"[]", "JSON object"),
        (b'{"tenant": "acme", "name": "x"}', '"assetId" is required'),
        (b'{"tenant": "acme", "assetId": "", "name": "x"}', '"assetId" is required'),
        (b'{"tenant": "acme", "assetId": 5, "name": "x"}', '"assetId" is required'),
        (b'{"assetId": "a", "name": "x"}', '"tenant" is required'),
        (b'{"tenant": "initech", "assetId": "a", "name": "x"}', "no tenant 'initech'"),
        (b'{"tenant": "acme", "assetId": "a", "name": ""}', '"name" is required'),
        (b'{"tenant": "acme", "assetId": "' + b"a" * 33 + b'", "name": "x"}', "longer than 32"),
        (b'{"tenant": "acme", "assetId": "a", "name": "x", "typeId": 1}', '"typeId" must be a string'),
        (b'{"tenant": "acme", "assetId": "a", "name": "x", "aspects": {}}', '"aspects" must be a list'),
        (b'{"tenant": "acme", "assetId": "a", "name": "x", "aspects": [{"name": 1}]}', '"aspects" must be a list'),
        (
            b'{"tenant": "acme", "assetId": "a", "name": "x", "aspects": [{"name": "p", "variables": [{}]}]}',
            '"aspects"',
        ),
        (b'{"tenant": "acme", "assetId": "a", "name": "x", "aspects": [{"name": "p", "extra": 1}]}', '"aspects"'),
        (b'{"tenant": "acme", "assetId": "a", "name": "x", "colour": "red"}', "unknown keys: colour"),
    ],
)
def test_bad_asset_bodies_are_400_and_add_nothing(emulator, body, message):
    response = requests.post(assets_url(emulator), data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400
    assert message in response.json()["error"]
    token = sign_in(emulator, "acme", "user@acme.example")["access_token"]
    listed = requests.get(
        f"{emulator.gateway}/api/assetmanagement/v3/assets", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert listed.json()["page"]["totalElements"] == 28


def test_assets_control_refuses_other_methods(emulator):
    assert requests.get(assets_url(emulator), timeout=10).status_code == 405
    assert requests.delete(assets_url(emulator), timeout=10).status_code == 405
