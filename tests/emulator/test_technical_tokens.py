"""The emulator's Token Management Service over real HTTP: technical tokens, with no person signed in.

Tokens issued only to the app's registered credentials, for its version and host tenant, for tenants
that have the app; verifiable with the user tenant's keys; accepted by the gateway for that tenant
only; counted in the stats; failing on request. And the demo assets that stopped reporting.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import requests
from jwt.algorithms import RSAAlgorithm

from emulator import aggregates, timeseries
from tests.emulator.test_admin import admin_session
from tests.servers import Emulator

PATH = "/gateway/api/technicaltokenmanager/v3/oauth/token"
CLIENT_ID, CLIENT_SECRET = "mobilestarter-technical", "local-technical-secret"
ASSETS = "/api/assetmanagement/v3/assets"
TIMESERIES = "/api/iottimeseries/v3/timeseries"
AGGREGATES = "/api/iottsaggregates/v4/aggregates"
HOUR = timedelta(hours=1)


def auth_key(client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET, scheme: str = "Basic") -> str:
    return f"{scheme} {base64.b64encode(f'{client_id}:{client_secret}'.encode()).decode()}"


def identification(user_tenant: str = "acme", **changes: str) -> dict:
    fields = {"appName": "mobilestarter", "appVersion": "1.0.0", "hostTenant": "acme", "userTenant": user_tenant}
    return {**fields, **changes}


def request_token(emulator: Emulator, user_tenant: str = "acme", *, prefix: str = "", **kwargs) -> requests.Response:
    kwargs.setdefault("headers", {"X-SPACE-AUTH-KEY": auth_key()})
    kwargs.setdefault("timeout", 10)
    if "data" not in kwargs and "params" not in kwargs:
        kwargs.setdefault("json", identification(user_tenant))
    return requests.post(f"{emulator.url}{prefix}{PATH}", **kwargs)


def technical_token(emulator: Emulator, user_tenant: str) -> str:
    response = request_token(emulator, user_tenant)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def verified_claims(emulator: Emulator, tenant: str, token: str) -> dict:
    """The claims, verified with the keys `tenant` publishes (as the app verifies them), RS256 only."""
    kid = jwt.get_unverified_header(token)["kid"]
    keys = requests.get(f"{emulator.url}/{tenant}/token_keys", timeout=10).json()["keys"]
    key = next(RSAAlgorithm.from_jwk(item) for item in keys if item["kid"] == kid)
    return jwt.decode(token, key, algorithms=["RS256"], options={"require": ["exp", "iat", "iss"], "verify_aud": False})


def asset_id(tenant: str, name: str) -> str:
    # Mirrors emulator.demo.asset_id_for, which cannot be imported under the app's settings.
    return hashlib.md5(f"{tenant}/{name}".encode()).hexdigest()


def gateway_get(emulator: Emulator, token: str, path: str, **params) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(f"{emulator.gateway}{path}", params=params, headers=headers, timeout=30)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_refused(response: requests.Response, status: int, reason: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert set(error) == {"code", "logref", "message"} and error["logref"] and error["message"]
    assert error["code"] == f"mdsp.core.technicaltokenmanager.{reason}"
    return error


# --- issuing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", ["acme", "globex"])
def test_a_token_for_a_tenant_that_has_the_app_verifies_with_that_tenants_keys(emulator, tenant):
    response = request_token(emulator, tenant)

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert "no-cache" in response.headers["Cache-Control"]
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "jti", "timestamp"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 1800, "mobilestarter.admin")
    claims = verified_claims(emulator, tenant, body["access_token"])
    assert claims["grant_type"] == "client_credentials"
    assert claims["ten"] == claims["zid"] == tenant
    assert claims["client_id"] == claims["cid"] == claims["sub"] == claims["azp"] == CLIENT_ID
    assert claims["scope"] == ["mobilestarter.admin"]
    assert claims["iss"] == f"{emulator.url}/{tenant}/oauth/token"
    assert claims["exp"] - claims["iat"] == 1800
    assert claims["jti"] == body["jti"]
    assert abs(body["timestamp"] / 1000 - claims["iat"]) < 5
    assert not {"user_id", "user_name", "email"} & set(claims)


def test_the_token_does_not_verify_with_another_tenants_keys(emulator):
    token = technical_token(emulator, "globex")
    acme_kids = {item["kid"] for item in requests.get(f"{emulator.url}/acme/token_keys", timeout=10).json()["keys"]}

    assert jwt.get_unverified_header(token)["kid"] not in acme_kids


def test_a_token_under_a_region_prefix_names_the_region_in_its_issuer(emulator):
    response = request_token(emulator, "globex", prefix="/eu1")

    assert response.status_code == 200, response.text
    claims = verified_claims(emulator, "globex", response.json()["access_token"])
    assert claims["iss"] == f"{emulator.url}/eu1/globex/oauth/token"
    assert gateway_get(emulator, response.json()["access_token"], ASSETS).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"X-SPACE-AUTH-KEY": auth_key(scheme="Bearer")},  # Siemens' how-to for local development writes "Bearer"
        {"x-space-auth-key": auth_key(scheme="basic")},
        {"Authorization": auth_key()},  # the API takes the Authorization header instead
    ],
    ids=["bearer scheme", "lower case", "authorization header"],
)
def test_the_credentials_header_may_take_other_documented_forms(emulator, headers):
    assert request_token(emulator, "acme", headers=headers).status_code == 200


def test_the_fields_may_come_as_query_parameters(emulator):
    response = request_token(emulator, params=identification("globex"))

    assert response.status_code == 200, response.text
    assert verified_claims(emulator, "globex", response.json()["access_token"])["ten"] == "globex"


def test_other_keys_in_the_body_are_ignored(emulator):
    # Clients send "grant_type" (Siemens' how-to) or even "json": true along.
    body = {**identification("acme"), "grant_type": "client_credentials", "json": True}

    assert request_token(emulator, json=body).status_code == 200


# --- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-SPACE-AUTH-KEY": ""},
        {"X-SPACE-AUTH-KEY": "Basic"},
        {"X-SPACE-AUTH-KEY": "Digest " + auth_key().split()[1]},
        {"X-SPACE-AUTH-KEY": "Basic not base64!"},
        {"X-SPACE-AUTH-KEY": "Basic " + base64.b64encode(b"no-colon-here").decode()},
        {"X-SPACE-AUTH-KEY": auth_key(client_secret="wrong")},
        {"X-SPACE-AUTH-KEY": auth_key(client_secret="")},
        {"X-SPACE-AUTH-KEY": auth_key(client_id="mobilestarter-local", client_secret="local-dev-secret")},
        {"X-SPACE-AUTH-KEY": auth_key(client_id="nobody")},
    ],
    ids=[
        "none",
        "empty",
        "no credentials",
        "other scheme",
        "not base64",
        "no colon",
        "wrong secret",
        "empty secret",
        "the sign-in client",
        "unknown client",
    ],
)
def test_wrong_or_missing_credentials_are_401(emulator, headers):
    response = request_token(emulator, "acme", headers=headers)

    assert_refused(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    "changes",
    [
        {"appVersion": "2.0.0"},  # access is granted per app version
        {"appName": "otherapp"},
        {"appName": "MobileStarter"},
        {"hostTenant": "globex"},  # not the app's host tenant
        {"userTenant": "hooli"},  # a tenant without the app
        {"userTenant": "nobody"},
    ],
    ids=lambda changes: "-".join(f"{key}={value}" for key, value in changes.items()),
)
def test_what_the_credentials_do_not_cover_is_403(emulator, changes):
    response = request_token(emulator, json=identification(**changes))

    error = assert_refused(response, 403, "forbidden")
    assert any(value in error["message"] for value in changes.values())


@pytest.mark.parametrize(
    ("kwargs", "status", "reason"),
    [
        ({"data": b"not json", "headers": {"Content-Type": "application/json"}}, 400, "badRequest"),
        ({"json": ["acme"]}, 400, "badRequest"),
        ({"json": {}}, 400, "badRequest"),
        ({"data": b""}, 400, "badRequest"),
        ({"json": {k: v for k, v in identification().items() if k != "userTenant"}}, 400, "badRequest"),
        ({"json": identification(appName="")}, 400, "badRequest"),
        ({"json": {**identification(), "appVersion": 1}}, 400, "badRequest"),
        ({"json": identification(), "params": {"userTenant": "acme"}}, 400, "badRequest"),  # body and query mixed
        ({"params": {"appName": "mobilestarter", "userTenant": "acme"}}, 400, "badRequest"),
        (
            {"data": b"appName=mobilestarter", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            415,
            "unsupportedMediaType",
        ),
    ],
    ids=[
        "not json",
        "not an object",
        "empty object",
        "no body",
        "missing field",
        "empty field",
        "not a string",
        "body and query",
        "query incomplete",
        "form body",
    ],
)
def test_malformed_requests_are_refused(emulator, kwargs, status, reason):
    kwargs = {**kwargs, "headers": {"X-SPACE-AUTH-KEY": auth_key(), **kwargs.get("headers", {})}}

    assert_refused(request_token(emulator, **kwargs), status, reason)


def test_credentials_are_checked_before_the_body(emulator):
    response = request_token(emulator, headers={"Content-Type": "application/json"}, data=b"not json")

    assert_refused(response, 401, "unauthorized")


def test_only_post(emulator):
    response = requests.get(f"{emulator.url}{PATH}", headers={"X-SPACE-AUTH-KEY": auth_key()}, timeout=10)
    assert response.status_code == 405


def test_the_tenant_without_the_app_has_people_and_assets_of_its_own(emulator):
    # hooli is a tenant like the others (keys, a person, assets): only the app is not provisioned to it.
    assert requests.get(f"{emulator.url}/hooli/token_keys", timeout=10).json()["keys"]
    assert_refused(request_token(emulator, "hooli"), 403, "forbidden")


# --- at the gateway ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tenant", "count"), [("acme", 28), ("globex", 7)])
def test_the_gateway_takes_the_token_for_its_own_tenant(emulator, tenant, count):
    token = technical_token(emulator, tenant)

    listed = gateway_get(emulator, token, ASSETS, size=200)
    assert listed.status_code == 200, listed.text
    assets = listed.json()["_embedded"]["assets"]
    assert listed.json()["page"]["totalElements"] == count
    assert {asset["tenantId"] for asset in assets} == {tenant}
    entity = assets[0]["assetId"]
    assert gateway_get(emulator, token, f"{ASSETS}/{entity}").status_code == 200
    assert gateway_get(emulator, token, f"{TIMESERIES}/{entity}/Environment").status_code == 200
    assert gateway_get(emulator, token, AGGREGATES, assetId=entity, aspectName="Environment").status_code == 200


def test_the_gateway_refuses_another_tenants_data_to_it(emulator):
    token = technical_token(emulator, "globex")
    pump = asset_id("acme", "Pump 01")

    assert gateway_get(emulator, token, f"{ASSETS}/{pump}").status_code == 404
    assert gateway_get(emulator, token, f"{TIMESERIES}/{pump}/Environment").status_code == 404


def test_a_token_names_a_person_or_is_technical(in_emulator):
    # Validly signed tokens that are neither a person's nor a client_credentials one: in-process, with the key.
    in_emulator("gateway_takes_a_person_or_a_technical_client")


def test_technical_tokens_expire_at_the_gateway(in_emulator):
    in_emulator("technical_token_expires_at_the_gateway", EMULATOR_ACCESS_TOKEN_SECONDS=60)


# --- stats and faults -------------------------------------------------------------------------------------


def technical_counts(emulator: Emulator, tenant: str) -> tuple[int, int]:
    counts = emulator.stats()["tenants"].get(tenant, {})
    return counts.get("technical_tokens", 0), counts.get("technical_token_failures", 0)


def test_stats_count_technical_tokens_and_refusals_by_user_tenant(clean_emulator):
    emulator = clean_emulator
    emulator.reset_stats()
    technical_token(emulator, "acme")
    technical_token(emulator, "acme")
    technical_token(emulator, "globex")
    request_token(emulator, "acme", headers={"X-SPACE-AUTH-KEY": auth_key(client_secret="wrong")})
    request_token(emulator, "hooli")
    request_token(emulator, "nobody")  # no such tenant: counted nowhere

    assert technical_counts(emulator, "acme") == (2, 1)
    assert technical_counts(emulator, "globex") == (1, 0)
    assert technical_counts(emulator, "hooli") == (0, 1)
    stats = emulator.stats()
    assert "nobody" not in stats["tenants"]
    assert (stats["total"]["technical_tokens"], stats["total"]["technical_token_failures"]) == (3, 2)
    assert stats["total"]["code_exchanges"] == 0


@pytest.mark.parametrize(("mode", "status", "code"), [("503", 503, "unavailable"), ("429", 429, "tooManyRequests")])
def test_a_fault_fails_the_next_calls_then_tokens_come_again(clean_emulator, mode, status, code):
    emulator = clean_emulator
    emulator.reset_stats()
    fault = emulator.fault(mode=mode, target="technical", calls=2)
    assert fault["target"] == "technical"

    for _ in range(2):
        response = request_token(emulator, "acme")
        assert response.status_code == status
        assert response.headers["Retry-After"].isdigit()
        assert response.json()["errors"][0]["code"] == f"mdsp.core.gateway.{code}"
    assert request_token(emulator, "acme").status_code == 200
    assert technical_counts(emulator, "acme") == (1, 2)


def test_a_fault_for_one_tenant_leaves_the_others_alone(clean_emulator):
    emulator = clean_emulator
    emulator.fault(mode="503", target="technical", tenant="globex", seconds=600)

    assert request_token(emulator, "acme").status_code == 200
    assert request_token(emulator, "globex").status_code == 503


def test_technical_faults_leave_the_gateway_and_the_token_endpoint_alone(clean_emulator):
    emulator = clean_emulator
    token = technical_token(emulator, "acme")
    emulator.fault(mode="503", target="technical")

    assert gateway_get(emulator, token, ASSETS).status_code == 200
    assert request_token(emulator, "acme").status_code == 503
    emulator.clear_faults()
    emulator.fault(mode="503", target="gateway")
    assert request_token(emulator, "acme").status_code == 200


def test_a_hang_holds_the_call_then_answers(clean_emulator):
    emulator = clean_emulator
    emulator.fault(mode="hang", target="technical", hang_seconds=1, calls=1)

    response = request_token(emulator, "acme", timeout=30)  # held, then answered normally
    assert response.status_code == 200, response.text
    assert emulator.session.get(f"{emulator.url}/_emulator/faults", timeout=10).json()["faults"] == []


def test_invalid_grant_is_no_fault_of_the_token_management_service(clean_emulator):
    response = requests.post(
        f"{clean_emulator.url}/_emulator/faults", json={"mode": "invalid_grant", "target": "technical"}, timeout=10
    )
    assert response.status_code == 400


# --- the registration comes from the app's variables ------------------------------------------------------


def test_seed_registers_the_credentials_from_the_apps_variables(emulator_factory):
    secret = "s3cret:with/odd+chars="
    emulator = emulator_factory(
        MDSP_KEY_STORE_CLIENT_ID="fleet-job", MDSP_KEY_STORE_CLIENT_SECRET=secret, MDSP_OS_VM_APP_VERSION="2.1.0"
    )
    headers = {"X-SPACE-AUTH-KEY": auth_key("fleet-job", secret)}

    response = request_token(emulator, headers=headers, json=identification("globex", appVersion="2.1.0"))
    assert response.status_code == 200, response.text
    assert verified_claims(emulator, "globex", response.json()["access_token"])["client_id"] == "fleet-job"
    assert_refused(request_token(emulator, headers=headers, json=identification("globex")), 403, "forbidden")


# --- assets that stopped reporting ------------------------------------------------------------------------

# (tenant, asset): hours without records, as emulator.demo.NOT_REPORTING has them
NOT_REPORTING = {
    ("acme", "Pump 13"): 6,
    ("acme", "Motor 20"): 12,
    ("acme", "Compressor 24"): 30,
    ("globex", "Globex Motor 05"): 8,
}


@pytest.mark.parametrize(("tenant", "name", "hours"), [(*key, hours) for key, hours in NOT_REPORTING.items()])
def test_a_demo_asset_that_stopped_reporting_has_no_recent_records(emulator, tenant, name, hours):
    token = technical_token(emulator, tenant)
    entity = asset_id(tenant, name)
    before = datetime.now(UTC)

    latest = gateway_get(emulator, token, f"{TIMESERIES}/{entity}/Environment")
    assert latest.status_code == 200, latest.text
    (record,) = latest.json()
    newest = datetime.fromisoformat(record["_time"].replace("Z", "+00:00"))
    assert before - hours * HOUR - timedelta(minutes=2) < newest <= datetime.now(UTC) - hours * HOUR
    recent = {"from": iso(before - (hours - 1) * HOUR), "to": iso(before)}
    assert gateway_get(emulator, token, f"{TIMESERIES}/{entity}/Environment", **recent).json() == []


def test_a_reporting_demo_asset_has_a_record_of_this_minute(emulator):
    token = technical_token(emulator, "acme")
    before = datetime.now(UTC)

    (record,) = gateway_get(emulator, token, f"{TIMESERIES}/{asset_id('acme', 'Pump 01')}/Environment").json()
    assert datetime.fromisoformat(record["_time"].replace("Z", "+00:00")) >= timeseries.floor_to(before)


def test_the_not_reporting_assets_leave_the_demo_lists_as_they_were(emulator):
    token = technical_token(emulator, "acme")

    names = [asset["name"] for asset in gateway_get(emulator, token, ASSETS, size=200).json()["_embedded"]["assets"]]
    assert len(names) == 28 and {"Pump 13", "Motor 20", "Compressor 24"} <= set(names)


def test_a_silent_asset_can_be_added_for_a_test(emulator_factory):
    emulator = emulator_factory()
    emulator.put_asset(
        "globex",
        "quiet-01",
        "Quiet one",
        aspects=[{"name": "Env", "variables": [{"name": "t"}]}],
        silentSeconds=3 * 3600,
    )
    token = technical_token(emulator, "globex")

    (record,) = gateway_get(emulator, token, f"{TIMESERIES}/quiet-01/Env").json()
    newest = datetime.fromisoformat(record["_time"].replace("Z", "+00:00"))
    assert newest <= datetime.now(UTC) - 3 * HOUR
    with pytest.raises(RuntimeError, match="silentSeconds"):
        emulator.put_asset("globex", "quiet-02", "Quiet two", silentSeconds=-1)


def test_the_silent_assets_time_rules_hold_to_the_minute(in_emulator):
    in_emulator("silent_asset_has_no_records_in_its_last_hours")


def test_aggregates_leave_out_intervals_after_the_last_record():
    start = datetime(2026, 3, 2, tzinfo=UTC)
    until = start + 2 * HOUR + timedelta(minutes=30)
    hourly = aggregates.Interval("hour", 1)

    full = aggregates.aggregate("asset", ["t"], start, start + 4 * HOUR, hourly)
    cut = aggregates.aggregate("asset", ["t"], start, start + 4 * HOUR, hourly, until=until)

    assert [item["t"]["countgood"] for item in full] == [60, 60, 60, 60]
    assert [item["t"]["countgood"] for item in cut] == [60, 60, 30]
    assert cut[:2] == full[:2]
    assert cut[2]["t"]["lasttime"] == "2026-03-02T02:30:00Z"
    assert aggregates.aggregate("asset", ["t"], start, start + HOUR, hourly, until=start) == []


# --- administration ---------------------------------------------------------------------------------------


def test_the_admin_shows_the_credentials_and_who_has_the_app(emulator):
    browser = admin_session(emulator)
    credentials = browser.get(f"{emulator.url}/_emulator/admin/emulator/appcredential/", timeout=10)
    assert credentials.status_code == 200 and "mobilestarter-technical" in credentials.text
    applications = browser.get(f"{emulator.url}/_emulator/admin/emulator/application/", timeout=10)
    assert applications.status_code == 200 and "acme, globex" in applications.text
    change = re.search(r'href="(/_emulator/admin/emulator/appcredential/\d+/change/)"', credentials.text).group(1)
    assert browser.get(emulator.url + change, timeout=10).status_code == 200
