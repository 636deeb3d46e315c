"""The emulated MindSphere gateway (emulator/webgateway) over real HTTP, in front of a tiny echo app.

An emulator and a gateway on its database run as real servers; the "app" is tests/emulator/echo_app.py,
which tells what reached it. Rules about time are asserted only one way round (what must have
happened once enough time has passed), so no load can upset them.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from jwt.algorithms import RSAAlgorithm

from tests.emulator.echo_app import EchoApp, pattern, start_echo_app
from tests.oauth_client import submit_credentials
from tests.servers import Emulator, Gateway, start_emulator, start_gateway

TIMEOUT = 30


@dataclass
class Stack:
    emulator: Emulator
    gateway: Gateway
    app: EchoApp

    @property
    def url(self) -> str:
        return self.gateway.url


@pytest.fixture(scope="module")
def echo_app() -> Iterator[EchoApp]:
    app = start_echo_app()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def stack(emulator_template, tmp_path_factory, echo_app) -> Iterator[Stack]:
    """An emulator of this module's own (faults set here touch no other test) and a gateway in front of the echo app."""
    workdir = tmp_path_factory.mktemp("gateway-stack")
    emulator = start_emulator(emulator_template, workdir / "emulator")
    gateway = start_gateway(emulator, echo_app.url, workdir / "gateway")
    yield Stack(emulator, gateway, echo_app)
    gateway.stop()
    emulator.stop()


@pytest.fixture
def stack_factory(emulator_template, tmp_path, echo_app) -> Iterator[Callable[..., Stack]]:
    """A private emulator and gateway with their own settings, e.g. short lifetimes."""
    started: list[Stack] = []

    def start(emulator_env: dict | None = None, gateway_env: dict | None = None, app_url: str | None = None) -> Stack:
        workdir = tmp_path / f"stack-{len(started)}"
        emulator = start_emulator(emulator_template, workdir / "emulator", emulator_env)
        gateway = start_gateway(emulator, app_url or echo_app.url, workdir / "gateway", gateway_env)
        started.append(Stack(emulator, gateway, echo_app))
        return started[-1]

    yield start
    for item in started:
        item.gateway.stop()
        item.emulator.stop()


def sign_in(stack: Stack, tenant: str = "acme", email: str = "user@acme.example") -> requests.Session:
    """The whole way in, as a browser goes: the app's address, "Which tenant?", the tenant's sign-in page, back."""
    browser = requests.Session()
    first = browser.get(f"{stack.url}/", allow_redirects=False, timeout=TIMEOUT)
    assert first.status_code == 302 and first.headers["Location"] == "/_gateway/?next=%2F"
    assert browser.get(stack.url + first.headers["Location"], timeout=TIMEOUT).text.count("Which tenant?")
    chosen = browser.get(f"{stack.url}/_gateway/", params={"tenant": tenant, "next": "/"}, allow_redirects=False)
    assert chosen.status_code == 302
    started = browser.get(stack.url + chosen.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
    authorize = started.headers["Location"]
    assert authorize.startswith(f"{stack.emulator.url}/{tenant}/oauth/authorize?")
    back = submit_credentials(browser, authorize, email)
    assert back.status_code == 302 and back.headers["Location"].startswith(f"{stack.url}/_gateway/callback?")
    landed = browser.get(back.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
    assert landed.status_code == 302 and landed.headers["Location"] == "/", landed.text
    return browser


def echo(browser: requests.Session, stack: Stack, path: str = "/echo", method: str = "GET", **kwargs) -> dict:
    response = browser.request(method, stack.url + path, allow_redirects=False, timeout=TIMEOUT, **kwargs)
    assert response.status_code == 200, (response.status_code, response.headers, response.text[:500])
    return response.json()


def header(seen: dict, name: str) -> str | None:
    values = [value for key, value in seen["headers"] if key.lower() == name.lower()]
    assert len(values) <= 1, values
    return values[0] if values else None


def cookie_names(seen: dict) -> set[str]:
    return {pair.split("=", 1)[0].strip() for pair in (header(seen, "Cookie") or "").split(";") if pair.strip()}


def bearer_claims(seen: dict, stack: Stack, tenant: str = "acme") -> dict:
    """The forwarded token's claims, its signature checked with the tenant's published keys."""
    token = (header(seen, "Authorization") or "").removeprefix("Bearer ")
    keys = requests.get(f"{stack.emulator.url}/{tenant}/token_keys", timeout=TIMEOUT).json()["keys"]
    key = next(key for key in keys if key["kid"] == jwt.get_unverified_header(token)["kid"])
    return jwt.decode(
        token, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"], options={"verify_aud": False}
    )


def xsrf(browser: requests.Session) -> str:
    return browser.cookies.get("XSRF-TOKEN")


# --- sign-in and what reaches the app --------------------------------------------------------------------


def test_signed_in_requests_reach_the_app_with_the_persons_bearer_token(stack):
    browser = sign_in(stack)
    seen = echo(browser, stack, "/some/page?x=1&y=%2B")
    assert (seen["method"], seen["path"]) == ("GET", "/some/page?x=1&y=%2B")
    claims = bearer_claims(seen, stack)
    assert (claims["ten"], claims["email"], claims["user_name"]) == ("acme", "user@acme.example", "user@acme.example")
    assert "mobilestarter.user" in claims["scope"] and claims["client_id"] == "gateway"
    assert claims["exp"] > time.time()
    gateway_host = urlsplit(stack.url).netloc
    assert header(seen, "X-Forwarded-Host") == gateway_host and header(seen, "X-Forwarded-Proto") == "http"
    assert header(seen, "X-Forwarded-For") == "127.0.0.1"
    # The gateway's session and the sign-in service's cookies stay behind; XSRF-TOKEN goes on.
    assert cookie_names(seen) == {"XSRF-TOKEN"}
    # The same token opens the emulator's API gateway, as the app will use it.
    token = header(seen, "Authorization")
    assets = requests.get(f"{stack.emulator.gateway}/api/assetmanagement/v3/assets", headers={"Authorization": token})
    assert assets.status_code == 200


def test_the_browser_holds_cookies_only_never_a_token(stack):
    browser = sign_in(stack)
    token = header(echo(browser, stack), "Authorization").removeprefix("Bearer ")
    jar = {cookie.name: cookie for cookie in browser.cookies}
    assert {"SESSION", "REGION-SESSION", "XSRF-TOKEN"} <= set(jar)
    assert jar["SESSION"].has_nonstandard_attr("HttpOnly") and jar["REGION-SESSION"].has_nonstandard_attr("HttpOnly")
    assert not jar["XSRF-TOKEN"].has_nonstandard_attr("HttpOnly")  # scripts read it
    assert all(token not in (cookie.value or "") for cookie in browser.cookies)
    page = browser.get(f"{stack.url}/_gateway/launchpad", timeout=TIMEOUT)
    assert token not in page.text and token not in str(page.headers)


def test_the_browsers_own_authorization_header_is_dropped(stack):
    browser = sign_in(stack)
    seen = echo(browser, stack, headers={"Authorization": "Basic c29tZW9uZTplbHNl", "Proxy-Authorization": "x"})
    assert header(seen, "Authorization").startswith("Bearer ey")
    assert header(seen, "Proxy-Authorization") is None
    assert bearer_claims(seen, stack)["email"] == "user@acme.example"


def test_a_request_without_a_session_is_sent_to_sign_in_xhr_included(stack):
    with requests.Session() as browser:
        page = browser.get(f"{stack.url}/assets/?page=2", allow_redirects=False, timeout=TIMEOUT)
        assert (page.status_code, page.headers["Location"]) == (302, "/_gateway/?next=%2Fassets%2F%3Fpage%3D2")
        xhr = browser.post(
            f"{stack.url}/api/thing",
            headers={"X-Requested-With": "XMLHttpRequest", "Sec-Fetch-Mode": "cors"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert (xhr.status_code, xhr.headers["Location"]) == (302, "/_gateway/?next=%2F")
    assert not [seen for seen in stack.app.requests if seen["path"] in ("/assets/?page=2", "/api/thing")]


def test_a_tenant_host_name_selects_the_tenant(stack):
    port = urlsplit(stack.url).port
    host = {"Host": f"acme.localhost:{port}"}
    with requests.Session() as browser:
        first = browser.get(f"{stack.url}/", headers=host, allow_redirects=False, timeout=TIMEOUT)
        assert first.headers["Location"] == "/_gateway/signin?tenant=acme&next=%2F"
        started = browser.get(stack.url + first.headers["Location"], headers=host, allow_redirects=False)
        query = parse_qs(urlsplit(started.headers["Location"]).query)
        assert query["redirect_uri"] == [f"http://acme.localhost:{port}/_gateway/callback"]
        assert query["client_id"] == ["gateway"] and query["code_challenge_method"] == ["S256"]
        # The sign-in service knows that address (a loopback name, on any port): it shows its form.
        form = browser.get(started.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
        assert form.status_code == 200 and 'name="password"' in form.text


def test_which_tenant_refuses_an_unknown_one(stack):
    response = requests.get(f"{stack.url}/_gateway/", params={"tenant": "nosuch"}, timeout=TIMEOUT)
    assert response.status_code == 404 and "There is no tenant “nosuch”" in response.text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- XSRF ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_change_needs_the_xsrf_header_equal_to_the_cookie(stack, method):
    browser = sign_in(stack)
    for headers in ({}, {"x-xsrf-token": "wrong"}, {"x-xsrf-token": ""}):
        refused = browser.request(method, f"{stack.url}/form", headers=headers, data=b"a=1", timeout=TIMEOUT)
        assert refused.status_code == 403, headers
        assert refused.json()["errors"][0]["code"] == "mdsp.core.gateway.forbidden"
    seen = echo(browser, stack, "/form", method, headers={"x-xsrf-token": xsrf(browser)}, data=b"a=1")
    assert (seen["method"], seen["body_bytes"], header(seen, "x-xsrf-token")) == (method, 3, xsrf(browser))


def test_the_xsrf_cookie_of_another_session_does_not_count(stack):
    browser, other = sign_in(stack), sign_in(stack, email="admin@acme.example")
    browser.cookies.set("XSRF-TOKEN", xsrf(other), domain="127.0.0.1", path="/")
    response = browser.post(f"{stack.url}/form", headers={"x-xsrf-token": xsrf(other)}, timeout=TIMEOUT)
    assert response.status_code == 403


# --- bodies, redirects, cookies of the app ---------------------------------------------------------------------


def test_large_bodies_stream_both_ways(stack):
    browser = sign_in(stack)
    upload = pattern(8 * 1024 * 1024)
    seen = echo(browser, stack, "/upload", "POST", headers={"x-xsrf-token": xsrf(browser)}, data=upload)
    assert (seen["body_bytes"], seen["body_sha256"]) == (len(upload), hashlib.sha256(upload).hexdigest())
    size = 32 * 1024 * 1024
    with browser.get(f"{stack.url}/big", params={"bytes": size}, stream=True, timeout=TIMEOUT) as download:
        assert download.headers["Content-Length"] == str(size)
        digest = hashlib.sha256()
        for block in download.iter_content(256 * 1024):
            digest.update(block)
    assert digest.hexdigest() == hashlib.sha256(pattern(size)).hexdigest()
    head = browser.head(f"{stack.url}/big", params={"bytes": 1000}, timeout=TIMEOUT)
    assert (head.status_code, head.headers["Content-Length"], head.content) == (200, "1000", b"")


def test_the_answer_is_passed_on_while_the_app_is_still_sending(stack):
    browser = sign_in(stack)
    stack.app.release.clear()
    # Were the gateway to wait for the whole answer, the first block would not come before the read timeout.
    with browser.get(f"{stack.url}/stream", stream=True, timeout=(5, 10)) as response:
        assert response.raw.read1(1024) == b"first block\n"  # read1: what has come, not a full buffer
        stack.app.release.set()
        assert response.raw.read() == b"the rest\n"


def test_compressed_answers_pass_as_they_are(stack):
    browser = sign_in(stack)
    response = browser.get(f"{stack.url}/compressed", headers={"Accept-Encoding": "gzip"}, stream=True)
    raw = response.raw.read(decode_content=False)
    assert response.headers["Content-Encoding"] == "gzip" and response.headers["Content-Length"] == str(len(raw))
    assert raw[:2] == b"\x1f\x8b"


def test_redirects_of_the_app_pass_with_its_origin_turned_into_the_gateways(stack):
    browser = sign_in(stack)
    home = browser.get(f"{stack.url}/redirect-home", allow_redirects=False, timeout=TIMEOUT)
    assert (home.status_code, home.headers["Location"]) == (302, f"{stack.url}/landed?from=app")
    away = browser.get(f"{stack.url}/redirect-away", allow_redirects=False, timeout=TIMEOUT)
    assert away.headers["Location"] == "https://example.com/elsewhere"


def test_cookies_of_the_app_pass_but_not_over_the_gateways(stack):
    browser = sign_in(stack)
    session = browser.cookies.get("SESSION")
    response = browser.get(f"{stack.url}/cookies", timeout=TIMEOUT)
    assert response.status_code == 200
    assert browser.cookies.get("first") == "1" and browser.cookies.get("second") == "two"
    assert browser.cookies.get("SESSION") == session
    assert "HttpOnly" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]
    assert cookie_names(echo(browser, stack)) == {"XSRF-TOKEN", "first", "second"}


def test_an_app_that_does_not_answer_is_a_bad_gateway(stack_factory):
    stack = stack_factory(app_url="http://127.0.0.1:9")  # the discard port: nothing listens
    browser = sign_in_to_launchpad(stack)
    response = browser.get(f"{stack.url}/anything", timeout=TIMEOUT)
    assert response.status_code == 502 and "does not answer" in response.text


def sign_in_to_launchpad(stack: Stack, tenant: str = "acme", email: str = "user@acme.example") -> requests.Session:
    """Sign in from the tenant form (no app address first): the Launchpad is where it lands."""
    browser = requests.Session()
    started = browser.get(f"{stack.url}/_gateway/signin", params={"tenant": tenant}, allow_redirects=False)
    back = submit_credentials(browser, started.headers["Location"], email)
    landed = browser.get(back.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
    assert landed.headers["Location"] == "/_gateway/launchpad"
    return browser


# --- session over, refresh ---------------------------------------------------------------------------------


def test_a_session_over_by_the_fault_switch_redirects_every_request_to_sign_in(stack):
    browser = sign_in(stack)
    echo(browser, stack)
    stack.emulator.fault(mode="session_over", tenant="acme")
    try:
        page = browser.get(f"{stack.url}/assets/", allow_redirects=False, timeout=TIMEOUT)
        assert (page.status_code, page.headers["Location"]) == (302, "/_gateway/signin?tenant=acme&next=%2Fassets%2F")
        xhr = browser.get(
            f"{stack.url}/sso/session/", headers={"Sec-Fetch-Mode": "cors", "HX-Request": "true"}, allow_redirects=False
        )
        assert (xhr.status_code, xhr.headers["Location"]) == (302, "/_gateway/signin?tenant=acme&next=%2F")
        # Signing in again works while the switch is on: it ends only the sessions begun before it.
        echo(sign_in(stack), stack)
    finally:
        stack.emulator.clear_faults()


def test_the_session_switch_is_a_gateway_fault(stack):
    refused = requests.post(f"{stack.emulator.url}/_emulator/faults", json={"mode": "session_over", "target": "token"})
    assert refused.status_code == 400 and "gateway" in refused.json()["error"]
    assert stack.emulator.fault(mode="session_over", calls=1)["target"] == "gateway"
    try:
        # The API gateway does not take it for one of its own faults.
        token = header(echo(sign_in(stack), stack), "Authorization")
        assets = requests.get(
            f"{stack.emulator.gateway}/api/assetmanagement/v3/assets", headers={"Authorization": token}
        )
        assert assets.status_code == 200
    finally:
        stack.emulator.clear_faults()


def test_a_session_ends_after_its_lifetime(stack_factory):
    stack = stack_factory(gateway_env={"EMULATOR_GATEWAY_SESSION_SECONDS": "1"})
    browser = sign_in(stack)
    time.sleep(1.2)
    for path in ("/echo", "/echo"):  # and after: the over session still tells the tenant
        response = browser.get(f"{stack.url}{path}", allow_redirects=False, timeout=TIMEOUT)
        assert (response.status_code, response.headers["Location"]) == (
            302,
            "/_gateway/signin?tenant=acme&next=%2Fecho",
        )


def test_the_gateway_refreshes_the_token_before_it_expires(stack_factory):
    stack = stack_factory(emulator_env={"EMULATOR_ACCESS_TOKEN_SECONDS": "4"})
    browser = sign_in(stack)
    first = bearer_claims(echo(browser, stack), stack)
    # The gateway refreshes when less than half the lifetime (2 s) is left; wait until that is so.
    time.sleep(max(0.0, first["exp"] - 2 - time.time()) + 0.3)
    asked_at = time.time()
    second = bearer_claims(echo(browser, stack), stack)
    assert second["jti"] != first["jti"] and second["exp"] > asked_at
    assert second["user_id"] == first["user_id"]
    assert stack.emulator.stats()["tenants"]["acme"]["refreshes"] >= 1
    # Requests at once while a refresh is due share one refresh (with rotation, two would end the sign-in).
    time.sleep(max(0.0, second["exp"] - 2 - time.time()) + 0.3)
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(lambda _: browser.get(f"{stack.url}/echo", allow_redirects=False, timeout=TIMEOUT), range(6))
        )
    assert [answer.status_code for answer in answers] == [200] * 6
    assert echo(browser, stack)  # the sign-in is still alive
    assert stack.emulator.stats()["tenants"]["acme"]["refresh_failures"] == 0


# --- Launchpad, OS Bar, sign-out ---------------------------------------------------------------------------------


def test_the_launchpad_lists_the_tenants_apps_with_their_icon(stack):
    browser = sign_in_to_launchpad(stack)
    page = browser.get(f"{stack.url}/_gateway/launchpad", timeout=TIMEOUT)
    assert page.status_code == 200 and "ACME Corporation" in page.text and "user@acme.example" in page.text
    assert '<a class="app" href="/"><img src="/static/icons/icon.svg"' in page.text and "mobilestarter" in page.text
    assert '<script src="/_gateway/osbar/v4/js/main.min.js">' in page.text
    assert browser.get(f"{stack.url}/static/icons/icon.svg", timeout=TIMEOUT).headers["Content-Type"] == "image/svg+xml"
    norole = sign_in_to_launchpad(stack, email="norole@acme.example").get(f"{stack.url}/_gateway/launchpad")
    assert "You have no app roles in this tenant" in norole.text


def test_the_os_bar_script_its_style_and_its_session(stack):
    script = requests.get(f"{stack.url}/_gateway/osbar/v4/js/main.min.js", timeout=TIMEOUT)
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert "window._mdsp" in script.text
    style = requests.get(f"{stack.url}/_gateway/osbar/v4/css/main.min.css", timeout=TIMEOUT)
    assert style.status_code == 200 and style.headers["Content-Type"].startswith("text/css")
    assert requests.get(f"{stack.url}/_gateway/osbar/session", allow_redirects=False).status_code == 302
    session = sign_in(stack).get(f"{stack.url}/_gateway/osbar/session", timeout=TIMEOUT).json()
    assert session["tenant"] == "acme" and session["tenantDisplayName"] == "ACME Corporation"
    assert session["user"]["email"] == "user@acme.example"
    assert (session["launchpadUrl"], session["signOutUrl"]) == ("/_gateway/launchpad", "/_gateway/signout")


def test_sign_out_ends_the_gateway_session_and_the_sign_in(stack):
    browser = sign_in(stack)
    out = browser.get(f"{stack.url}/_gateway/signout", allow_redirects=False, timeout=TIMEOUT)
    location = out.headers["Location"]
    assert location.startswith(f"{stack.emulator.url}/acme/logout.do?")
    assert parse_qs(urlsplit(location).query) == {
        "redirect": [f"{stack.url}/_gateway/signed-out"],
        "client_id": ["gateway"],
    }
    back = browser.get(location, allow_redirects=False, timeout=TIMEOUT)
    assert back.headers["Location"] == f"{stack.url}/_gateway/signed-out"
    assert "You are signed out" in browser.get(back.headers["Location"], timeout=TIMEOUT).text
    assert "SESSION" not in browser.cookies and "XSRF-TOKEN" not in browser.cookies
    assert browser.get(f"{stack.url}/echo", allow_redirects=False, timeout=TIMEOUT).status_code == 302
    # The sign-in service forgot the person too: signing in shows its form again.
    started = browser.get(f"{stack.url}/_gateway/signin", params={"tenant": "acme"}, allow_redirects=False)
    form = browser.get(started.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
    assert form.status_code == 200 and 'name="password"' in form.text
