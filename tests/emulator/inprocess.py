"""Emulator rules about time, checked in-process on a clock the test drives (time_machine).

The emulator is its own Django project and cannot be set up in the pytest process, which runs the
app's settings. So each scenario here runs in a fresh `python -m tests.emulator.inprocess <name>`
under `emulator.settings`, against a copy of the seeded template database, calling the real views
through Django's test client. Nothing here sleeps or measures elapsed time: the clock is frozen
(`tick=False`) and moved by exact amounts, so the rules are checked to the second on any machine.

`run(...)` is the pytest side; the scenarios are the functions registered with `@scenario`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from emulator import timeseries

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS: dict[str, Callable[[], None]] = {}
# A fixed, whole-second start: the clock never moves unless a scenario moves it.
T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

CLIENT_ID = "mobilestarter-local"
CLIENT_SECRET = "local-dev-secret"
REDIRECT_URI = "http://127.0.0.1:8000/accounts/mindsphere/login/callback/"
ASSETS = "/gateway/api/assetmanagement/v3/assets"


# --- the pytest side -----------------------------------------------------------------------------------


def run(name: str, template_db: Path, workdir: Path, **env: str | int) -> None:
    """Run one scenario in a subprocess under the emulator's settings; fail with its output if it fails."""
    from tests.servers import emulator_env

    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "emulator.sqlite3"
    shutil.copyfile(template_db, database)
    extra = {key: str(value) for key, value in env.items()}
    extra["DJANGO_SETTINGS_MODULE"] = "emulator.settings"
    extra.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the test client speaks http, as in development
    result = subprocess.run(
        [sys.executable, "-m", "tests.emulator.inprocess", name],
        cwd=ROOT,
        env=emulator_env(database, extra),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, f"scenario {name} failed:\n{output}"
    assert f"scenario {name}: ok" in result.stdout, output


# --- the subprocess side -------------------------------------------------------------------------------


def scenario(function: Callable[[], None]) -> Callable[[], None]:
    SCENARIOS[function.__name__] = function
    return function


def client():
    from django.test import Client

    return Client(HTTP_HOST="127.0.0.1:8001")


def sign_in(tenant: str, email: str) -> dict:
    """The code flow with PKCE (S256), as the app does it, in a browser of its own; the token response."""
    browser = client()  # a fresh one: the emulator remembers who signed in and would skip the form
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "state": secrets.token_urlsafe(8),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    url = f"/{tenant}/oauth/authorize?{query}"
    assert browser.get(url).status_code == 200
    signed_in = form_post(browser, url, {"email": email, "password": "demo"})
    assert signed_in.status_code == 302, signed_in.content
    code = parse_qs(urlsplit(signed_in["Location"]).query)["code"][0]
    response = form_post(
        browser,
        f"/{tenant}/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert response.status_code == 200, response.content
    return response.json()


def form_post(browser, url: str, data: dict):
    # A form body, as browsers and OAuth clients send it (the test client's default is multipart).
    return browser.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


def refresh(browser, tenant: str, refresh_token: str):
    return form_post(
        browser,
        f"/{tenant}/oauth/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )


def set_fault(browser, **spec) -> dict:
    response = browser.post("/_emulator/faults", json.dumps(spec), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def active_faults(browser) -> list[dict]:
    return browser.get("/_emulator/faults").json()["faults"]


@scenario
def refresh_lifetime_counts_from_sign_in() -> None:
    """EMULATOR_REFRESH_TOKEN_SECONDS=100: refreshes work until sign-in + 100 s and never extend it."""
    import time_machine
    from django.conf import settings

    assert settings.EMULATOR_REFRESH_TOKEN_SECONDS == 100
    browser = client()
    with time_machine.travel(T0, tick=False) as clock:
        token = sign_in("acme", "user@acme.example")
        assert token["refresh_token_expires_in"] == 100
        current = token["refresh_token"]
        for elapsed, shift in ((40, 40), (80, 40), (99, 19)):
            clock.shift(shift)
            response = refresh(browser, "acme", current)
            assert response.status_code == 200, (elapsed, response.content)
            # What is left counts down from sign-in; a refresh does not start a new lifetime.
            assert response.json()["refresh_token_expires_in"] == 100 - elapsed
            current = response.json()["refresh_token"]

        clock.shift(1)  # sign-in + 100 s: the lifetime is over, however recently the token was refreshed
        response = refresh(browser, "acme", current)
        assert response.status_code == 400, response.content
        assert response.json()["error"] == "invalid_grant"

        # A new sign-in starts a new lifetime.
        assert sign_in("acme", "user@acme.example")["refresh_token_expires_in"] == 100


@scenario
def access_token_expires_at_the_gateway() -> None:
    """EMULATOR_ACCESS_TOKEN_SECONDS=60: the gateway takes the token until exp and refuses it after."""
    import jwt
    import time_machine

    browser = client()
    with time_machine.travel(T0, tick=False) as clock:
        token = sign_in("acme", "admin@acme.example")
        claims = jwt.decode(token["access_token"], options={"verify_signature": False})
        assert token["expires_in"] == 60
        assert (claims["iat"], claims["exp"]) == (int(T0.timestamp()), int(T0.timestamp()) + 60)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}"}

        assert browser.get(ASSETS, **headers).status_code == 200
        clock.shift(59)
        assert browser.get(ASSETS, **headers).status_code == 200, "refused before exp"
        clock.shift(2)
        response = browser.get(ASSETS, **headers)
        assert response.status_code == 401, response.content
        assert "expired" in response.json()["errors"][0]["message"]
        assert response["WWW-Authenticate"].startswith("Bearer")

        # A refresh gives a token that works again, for another 60 s from now.
        renewed = refresh(browser, "acme", token["refresh_token"]).json()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {renewed['access_token']}"}
        assert browser.get(ASSETS, **headers).status_code == 200
        clock.shift(61)
        assert browser.get(ASSETS, **headers).status_code == 401


@scenario
def fault_expires_by_time() -> None:
    """A fault with "seconds": 30 answers every call for 30 s, then is gone."""
    import time_machine

    browser = client()
    with time_machine.travel(T0, tick=False) as clock:
        token = sign_in("acme", "user@acme.example")
        fault = set_fault(browser, mode="503", seconds=30)
        assert fault["remaining_calls"] is None
        assert datetime.fromisoformat(fault["until"]) == T0.replace(second=30)

        for _ in range(3):  # not used up by calls
            assert refresh(browser, "acme", token["refresh_token"]).status_code == 503
        clock.shift(29)
        assert [item["id"] for item in active_faults(browser)] == [fault["id"]]
        assert refresh(browser, "acme", token["refresh_token"]).status_code == 503

        clock.shift(1)  # until has come
        assert active_faults(browser) == []
        response = refresh(browser, "acme", token["refresh_token"])
        assert response.status_code == 200, response.content

        # A fault limited by both calls and time ends at whichever comes first: here the time.
        set_fault(browser, mode="503", seconds=10, calls=5)
        assert refresh(browser, "acme", response.json()["refresh_token"]).status_code == 503
        clock.shift(10)
        assert active_faults(browser) == []
        assert refresh(browser, "acme", response.json()["refresh_token"]).status_code == 200


def _recorded_sleeps(module: str):
    """Patch `time.sleep` as `module` sees it: record the seconds instead of sleeping."""
    from unittest import mock

    slept: list[float] = []
    return slept, mock.patch(f"{module}.time.sleep", side_effect=slept.append)


@scenario
def token_hang_delays_only_the_next_call() -> None:
    """A hang fault with calls=1 holds the next token call for hang_seconds, answers it normally, then stops."""
    browser = client()
    token = sign_in("acme", "user@acme.example")
    set_fault(browser, mode="hang", hang_seconds=2, calls=1)
    slept, patch = _recorded_sleeps("emulator.views")
    with patch:
        first = refresh(browser, "acme", token["refresh_token"])
        assert first.status_code == 200, first.content
        assert slept == [2.0]
        assert active_faults(browser) == []
        second = refresh(browser, "acme", first.json()["refresh_token"])
        assert second.status_code == 200, second.content
    assert slept == [2.0], "the second call was held too"


@scenario
def gateway_hang_delays_only_the_next_call() -> None:
    browser = client()
    token = sign_in("acme", "user@acme.example")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}"}
    set_fault(browser, mode="hang", target="gateway", hang_seconds=1.5, calls=1)
    slept, patch = _recorded_sleeps("emulator.gateway")
    with patch:
        assert browser.get(ASSETS, **headers).status_code == 200
        assert slept == [1.5]
        assert browser.get(ASSETS, **headers).status_code == 200
    assert slept == [1.5], "the second call was held too"
    # The token endpoint is not the gateway's target.
    assert refresh(browser, "acme", token["refresh_token"]).status_code == 200


TECHNICAL_TOKEN = "/gateway/api/technicaltokenmanager/v3/oauth/token"
TECHNICAL_KEY = "Basic " + base64.b64encode(b"mobilestarter-technical:local-technical-secret").decode()


def technical_token(browser, tenant: str) -> dict:
    """A technical token of the Token Management Service for `tenant`, with the demo app credentials."""
    body = {"appName": "mobilestarter", "appVersion": "1.0.0", "hostTenant": "acme", "userTenant": tenant}
    response = browser.post(
        TECHNICAL_TOKEN, json.dumps(body), content_type="application/json", HTTP_X_SPACE_AUTH_KEY=TECHNICAL_KEY
    )
    assert response.status_code == 200, response.content
    return response.json()


@scenario
def technical_token_expires_at_the_gateway() -> None:
    """EMULATOR_ACCESS_TOKEN_SECONDS=60: a technical token lasts 60 s at the gateway, as a person's does."""
    import jwt
    import time_machine

    browser = client()
    with time_machine.travel(T0, tick=False) as clock:
        token = technical_token(browser, "globex")
        claims = jwt.decode(token["access_token"], options={"verify_signature": False})
        assert token["expires_in"] == 60 and token["timestamp"] == int(T0.timestamp()) * 1000
        assert (claims["iat"], claims["exp"]) == (int(T0.timestamp()), int(T0.timestamp()) + 60)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}"}
        assert browser.get(ASSETS, **headers).status_code == 200
        clock.shift(59)
        assert browser.get(ASSETS, **headers).status_code == 200, "refused before exp"
        clock.shift(2)
        response = browser.get(ASSETS, **headers)
        assert response.status_code == 401 and "expired" in response.json()["errors"][0]["message"]
        # No refresh token: the app asks for a new one.
        headers = {"HTTP_AUTHORIZATION": f"Bearer {technical_token(browser, 'globex')['access_token']}"}
        assert browser.get(ASSETS, **headers).status_code == 200


@scenario
def silent_asset_has_no_records_in_its_last_hours() -> None:
    """acme's "Pump 13" stopped reporting 6 h ago, wherever the clock is: its records end at now - 6 h."""
    import time_machine

    from emulator.demo import asset_id_for

    entity = asset_id_for("acme", "Pump 13")
    series = f"/gateway/api/iottimeseries/v3/timeseries/{entity}/PumpData"
    for now in (T0, T0.replace(hour=23, minute=59, second=30)):
        with time_machine.travel(now, tick=False):
            browser = client()
            headers = {"HTTP_AUTHORIZATION": f"Bearer {technical_token(browser, 'acme')['access_token']}"}
            newest = timeseries.floor_to(now - timedelta(hours=6))
            assert browser.get(series, **headers).json() == [_record(entity, newest)]
            window = {"from": _iso(now - timedelta(hours=7)), "to": _iso(now)}
            records = browser.get(series, window, **headers).json()
            assert len(records) == 60 and records[-1]["_time"] == timeseries.format_time(newest)
            hourly = {"assetId": entity, "aspectName": "PumpData", "intervalUnit": "hour", "intervalValue": "1"}
            day = {**hourly, "from": _iso(now - timedelta(hours=24)), "to": _iso(now)}
            answer = browser.get("/gateway/api/iottsaggregates/v4/aggregates", day, **headers).json()["aggregates"]
            assert answer[-1]["pressure"]["lasttime"] == _iso(newest)


@scenario
def gateway_takes_a_person_or_a_technical_client() -> None:
    """Signed with the tenant's key, a token must name a person (user_id) or be technical (no person)."""
    import jwt

    from emulator.models import Tenant
    from emulator.tokens import _signed

    browser = client()
    tenant = Tenant.objects.get(name="acme")
    technical = jwt.decode(technical_token(browser, "acme")["access_token"], options={"verify_signature": False})
    person = jwt.decode(sign_in("acme", "admin@acme.example")["access_token"], options={"verify_signature": False})
    cases = [
        (technical, 200),
        ({**technical, "grant_type": "authorization_code"}, 401),  # no person, yet not technical
        ({**technical, "user_id": person["user_id"]}, 401),  # technical, yet naming a person
        ({key: value for key, value in technical.items() if key != "client_id"}, 401),
        (person, 200),
        ({key: value for key, value in person.items() if key != "user_id"}, 401),
    ]
    for claims, status in cases:
        response = browser.get(ASSETS, HTTP_AUTHORIZATION=f"Bearer {_signed(claims, tenant)}")
        assert response.status_code == status, (claims, response.content)


@scenario
def demo_subtenant_people() -> None:
    """seed_demo (again: idempotent) gives acme an admin and a user in each of two subtenants; tokens say which."""
    import jwt
    from django.core.management import call_command

    from emulator.models import TenantUser

    call_command("seed_demo", verbosity=0)
    people = TenantUser.objects.filter(tenant__name="acme").exclude(subtenant="")
    assert sorted(people.values_list("subtenant", "email", "core_role")) == [
        ("windpark-north", "north-admin@acme.example", "mdsp:core:SubTenantUser"),
        ("windpark-north", "north-user@acme.example", "mdsp:core:SubTenantUser"),
        ("windpark-south", "south-admin@acme.example", "mdsp:core:SubTenantUser"),
        ("windpark-south", "south-user@acme.example", "mdsp:core:SubTenantUser"),
    ]
    for email, subtenant, scopes in [
        ("north-admin@acme.example", "windpark-north", ["mobilestarter.admin", "mobilestarter.user"]),
        ("south-user@acme.example", "windpark-south", ["mobilestarter.user"]),
        ("admin@acme.example", None, ["mobilestarter.admin", "mobilestarter.user"]),
    ]:
        claims = jwt.decode(sign_in("acme", email)["access_token"], options={"verify_signature": False})
        assert (claims["ten"], claims.get("subtenant")) == ("acme", subtenant), claims
        assert [scope for scope in claims["scope"] if not scope.startswith("mdsp:core:")] == scopes


def _record(entity: str, moment: datetime) -> dict:
    values = {name: timeseries.value_at(entity, name, moment) for name in ("pressure", "flow")}
    return {"_time": timeseries.format_time(moment), **values}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def main(name: str) -> None:
    import django

    assert os.environ.get("DJANGO_SETTINGS_MODULE") == "emulator.settings"
    django.setup()
    try:
        SCENARIOS[name]()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
    print(f"scenario {name}: ok")


if __name__ == "__main__":
    main(sys.argv[1])
