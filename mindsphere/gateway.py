"""The transport to MindSphere's API gateway: GET with a bearer token from a token source.

The caller says where the token comes from (a `TokenSource`): a signed-in person's record
(sso.tokens.RecordTokens), the token of a request that came through the gateway or one fetched
with the app's own credentials (`FixedToken`). On a 401 the source may renew its token once, and
the call is repeated once. The answers come back as JSON or as exceptions (mindsphere.exceptions):
no answer, 429 and 502/503/504 as ProviderUnavailableError (429: RateLimitedError; no answer in
time: ProviderTimeoutError), any other
4xx/5xx as MindSphereAPIError with the server's own message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeoutError
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import requests
from django.db import connections
from requests_oauthlib import OAuth2Session

from . import hosts
from .app_settings import app_settings
from .exceptions import MindSphereAPIError, ProviderTimeoutError, ProviderUnavailableError

MAX_MESSAGE = 500  # characters of a server's error message shown to people
OUTAGE = (429, 502, 503, 504)  # answers that mean "try again later", not "this call is wrong"
T = TypeVar("T")


class TokenSource(Protocol):
    """Where a gateway client gets the access token of each call."""

    def access_token(self) -> str:
        """The access token to send now."""
        ...

    def renew(self) -> bool:
        """Called once when the gateway answered 401: True if a new token is available (the call
        is repeated once with it), False if not (the 401 stands)."""
        ...


class FixedToken:
    """A token that cannot be renewed: a gateway request's own, or one the caller fetched."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def renew(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "FixedToken(…)"  # never the token itself, in a log or a traceback


class Gateway:
    """GET calls to the tenant's gateway with the token source's token.

    `gateway_url` defaults to MINDSPHERE_GATEWAY_URL for the tenant; `timeout` to
    MINDSPHERE_HTTP_TIMEOUT. The API modules (assetmanagement, timeseries, aggregates) build on it.
    """

    def __init__(
        self, tokens: TokenSource, tenant: str, *, gateway_url: str | None = None, timeout: float | None = None
    ) -> None:
        self.tokens = tokens
        self.tenant = tenant
        self.gateway_url = (gateway_url or hosts.gateway_base(tenant)).rstrip("/")
        self.timeout = timeout or app_settings.MINDSPHERE_HTTP_TIMEOUT

    def _send(self, url: str, params: dict | None) -> requests.Response:
        # requests-oauthlib adds the bearer header, and (oauthlib) refuses plain http unless
        # OAUTHLIB_INSECURE_TRANSPORT is set, which sso does for the local emulator only.
        with OAuth2Session(token={"access_token": self.tokens.access_token(), "token_type": "Bearer"}) as session:
            try:
                return session.get(url, params=params, timeout=self.timeout, headers=_headers())
            except requests.ConnectionError as error:  # a connect timeout too: nothing there to wait for
                raise ProviderUnavailableError(f"gateway unreachable: {type(error).__name__}") from None
            except requests.Timeout as error:  # connected, but no answer in time
                raise ProviderTimeoutError(f"gateway took too long: {type(error).__name__}") from None

    def get(self, path: str, params: dict | None = None) -> requests.Response:
        """GET `path` (under the gateway, or an absolute URL from a `next` link); one renewal and retry on a 401."""
        url = path if path.startswith(("http://", "https://")) else f"{self.gateway_url}/{path.lstrip('/')}"
        if not url.startswith(self.gateway_url + "/"):
            raise MindSphereAPIError(400, "refusing to send the token outside the gateway")
        response = self._send(url, params)
        # The token may have been revoked or rotated early: a source that can renew it does, once.
        if response.status_code == 401 and self.tokens.renew():
            response = self._send(url, params)
        if response.status_code in OUTAGE:
            raise ProviderUnavailableError.from_response(response, "gateway")
        if response.status_code >= 400:
            raise MindSphereAPIError(response.status_code, error_message(response))
        return response

    def get_json(self, path: str, params: dict | None = None) -> Any:
        return json_body(self.get(path, params))

    def at_once(self, *calls: Callable[[], T]) -> list[T | BaseException]:
        """Run independent gateway calls concurrently; together they get the client's timeout.

        Each result is the call's value or the exception it raised, in the order given; calls
        still running when the timeout is over count as an outage (ProviderUnavailableError).
        """
        deadline = time.monotonic() + self.timeout
        pool = ThreadPoolExecutor(max_workers=len(calls))
        try:
            futures = [pool.submit(_in_thread, call) for call in calls]
            results: list[T | BaseException] = []
            for future in futures:
                try:
                    results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
                except FuturesTimeoutError:
                    results.append(ProviderTimeoutError("gateway calls took longer than the timeout"))
                except Exception as error:  # the caller decides what each failure means
                    results.append(error)
            return results
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def _in_thread(call: Callable[[], T]) -> T:
    try:
        return call()
    finally:
        # A token source may use the database from this thread (a renewal on a 401): close its connection.
        connections.close_all()


def _headers() -> dict[str, str]:
    # The app's name and version from Developer Cockpit, so MindSphere's logs can tell its calls apart.
    agent = f"{app_settings.MINDSPHERE_APP_NAME}/{app_settings.MINDSPHERE_APP_VERSION}"
    return {"Accept": "application/json", "User-Agent": agent}


def json_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise MindSphereAPIError(502, "the gateway answered something that is not JSON") from None


def path_segment(value: str) -> str:
    """`value` as one path segment: '/' encoded, and "." or ".." too, which URL parsers would resolve away."""
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


def error_message(response: requests.Response) -> str:
    """The server's own words: each API has its error body (docs/emulator.md names the sources).

    Asset Management and the gateway: `{"errors": [{"code", "logref", "message"}]}`; IoT Time
    Series: `{"id", "message"}`; OAuth-style answers: `{"error", "error_description"}`.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get("message"):
            return str(errors[0]["message"])[:MAX_MESSAGE]
        for key in ("message", "error_description"):
            if isinstance(body.get(key), str) and body[key].strip():
                return body[key].strip()[:MAX_MESSAGE]
    return f"MindSphere answered {response.status_code}"
