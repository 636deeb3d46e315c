"""A plain OAuth client for the emulator, written with requests-oauthlib, as a mobile app would use it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
from requests_oauthlib import OAuth2Session

from tests.servers import Emulator

CLIENT_ID = "mobilestarter-local"
CLIENT_SECRET = "local-dev-secret"
REDIRECT_URI = "http://127.0.0.1:8000/accounts/mindsphere/login/callback/"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Authorization:
    """What came back to the redirect URI, plus what is needed to exchange it."""

    oauth: OAuth2Session
    location: str
    code: str | None
    state: str | None
    error: str | None


def start(
    emulator: Emulator, tenant: str, *, redirect_uri: str = REDIRECT_URI, client_id: str = CLIENT_ID
) -> tuple[OAuth2Session, str]:
    oauth = OAuth2Session(client_id, redirect_uri=redirect_uri, pkce="S256")
    url, _state = oauth.authorization_url(f"{emulator.url}/{tenant}/oauth/authorize")
    return oauth, url


def sign_in_page(browser: requests.Session, url: str) -> requests.Response:
    return browser.get(url, allow_redirects=False, timeout=10)


def submit_credentials(browser: requests.Session, url: str, email: str, password: str = "demo") -> requests.Response:
    page = browser.get(url, allow_redirects=False, timeout=10)
    match = CSRF_FIELD.search(page.text)
    assert match, f"no sign-in form at {url}: {page.status_code}"
    return browser.post(
        url,
        data={"csrfmiddlewaretoken": match.group(1), "email": email, "password": password},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=10,
    )


def authorize(emulator: Emulator, tenant: str, email: str, password: str = "demo", **kwargs) -> Authorization:
    oauth, url = start(emulator, tenant, **kwargs)
    with requests.Session() as browser:
        response = submit_credentials(browser, url, email, password)
    location = response.headers.get("Location", "")
    query = parse_qs(urlsplit(location).query)
    return Authorization(
        oauth=oauth,
        location=location,
        code=query.get("code", [None])[0],
        state=query.get("state", [None])[0],
        error=query.get("error", [None])[0],
    )


def exchange(
    emulator: Emulator, tenant: str, authorization: Authorization, *, client_secret: str = CLIENT_SECRET
) -> dict:
    return authorization.oauth.fetch_token(
        f"{emulator.url}/{tenant}/oauth/token",
        authorization_response=authorization.location,
        client_secret=client_secret,
        include_client_id=True,
        timeout=10,
    )


def sign_in(emulator: Emulator, tenant: str, email: str, password: str = "demo") -> dict:
    return exchange(emulator, tenant, authorize(emulator, tenant, email, password))


def refresh(
    emulator: Emulator, tenant: str, refresh_token: str, *, client_secret: str = CLIENT_SECRET
) -> requests.Response:
    """The raw refresh response (tests look at error bodies, so no raising here)."""
    return requests.post(
        f"{emulator.url}/{tenant}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(CLIENT_ID, client_secret),
        timeout=10,
    )


def code_verifier(authorization: Authorization) -> str:
    """The PKCE verifier requests-oauthlib made for this authorization (it keeps it on the session)."""
    return authorization.oauth._code_verifier


def token_request(
    emulator: Emulator,
    tenant: str,
    authorization: Authorization,
    *,
    verifier: str | None = None,
    redirect_uri: str = REDIRECT_URI,
    client_id: str = CLIENT_ID,
    client_secret: str = CLIENT_SECRET,
) -> requests.Response:
    """A raw code exchange with every part open to tampering (tests look at the refusals)."""
    return requests.post(
        f"{emulator.url}/{tenant}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": authorization.code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier if verifier is not None else code_verifier(authorization),
            "client_id": client_id,
            "client_secret": client_secret,
        },
        timeout=10,
    )
