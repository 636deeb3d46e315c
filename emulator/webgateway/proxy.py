"""Forwarding to the app: requests sends the request on (streaming its body), StreamingHttpResponse the answer.

What the app gets: the browser's request without hop-by-hop headers, without the browser's own
`Authorization` and without the gateway's session cookies, plus `Authorization: Bearer <access
token>` and `X-Forwarded-Host/Proto/For`. What the browser gets: the app's answer as it came (its
body neither decoded nor buffered), without hop-by-hop headers, a `Location` on the app's own
origin turned into the gateway's.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from http.cookiejar import DefaultCookiePolicy
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase

from . import pages, sessions

logger = logging.getLogger(__name__)

# RFC 9110, section 7.6.1: meant for one connection only, never forwarded.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer"}
    | {"transfer-encoding", "upgrade"}
)
# The browser's values of these never reach the app: the gateway sets its own (or requests does).
REPLACED = frozenset(
    {"host", "authorization", "cookie", "content-length", "expect", "forwarded", "x-forwarded-for"}
    | {"x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"}
)
CHUNK_BYTES = 64 * 1024
TIMEOUT = (10, 300)  # connect, and longest wait for the next bytes of the app's answer


def hidden_cookies() -> frozenset[str]:
    """Cookies the app never sees: the gateway's session and the sign-in service's own (another host on MindSphere)."""
    return frozenset(
        {sessions.SESSION_COOKIE, sessions.REGION_COOKIE, settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    )


def forward(request: HttpRequest, access_token: str) -> HttpResponseBase:
    """The app's answer to this request, or a 502/504 page when it gives none."""
    try:
        upstream = _client().request(
            request.method or "GET",
            settings.EMULATOR_GATEWAY_APP_URL + _path(request),
            headers=_request_headers(request, access_token),
            data=_body(request),
            stream=True,
            allow_redirects=False,
            timeout=TIMEOUT,
        )
    except requests.Timeout:
        return pages.problem(request, "The app did not answer in time.", 504)
    except requests.RequestException as error:
        logger.warning("The app at %s is unreachable: %s", settings.EMULATOR_GATEWAY_APP_URL, error)
        return pages.problem(request, f"The app at {settings.EMULATOR_GATEWAY_APP_URL} does not answer.", 502)
    return _answer(request, upstream)


@functools.cache
def _client() -> requests.Session:
    session = requests.Session()
    # Nothing from the environment: no proxy, and no .netrc, whose credentials would replace the Bearer token.
    session.trust_env = False
    # One client serves every person: it must keep no cookie of anyone's.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.headers.clear()  # no default Accept or User-Agent of its own: the browser's go on
    return session


def _path(request: HttpRequest) -> str:
    # gunicorn passes the path as it came; runserver only the decoded one (an encoded "/" arrives as "/").
    return request.META.get("RAW_URI") or request.get_full_path()


def _request_headers(request: HttpRequest, access_token: str) -> dict[str, str]:
    named = _connection_tokens(request.headers.get("Connection", ""))
    headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in HOP_BY_HOP and name.lower() not in REPLACED and name.lower() not in named
    }
    cookies = without_cookies(request.headers.get("Cookie", ""), hidden_cookies())
    if cookies:
        headers["Cookie"] = cookies
    client = request.META.get("REMOTE_ADDR", "")
    earlier = request.headers.get("X-Forwarded-For")
    headers.update(
        {
            "Authorization": f"Bearer {access_token}",
            "X-Forwarded-Host": request.get_host(),
            "X-Forwarded-Proto": request.scheme or "http",
            "X-Forwarded-For": f"{earlier}, {client}" if earlier else client,
        }
    )
    return headers


def _connection_tokens(value: str) -> set[str]:
    return {token.strip().lower() for token in value.split(",") if token.strip()}


def without_cookies(header: str, names: frozenset[str]) -> str:
    """The Cookie header without the named cookies, the others byte for byte as the browser sent them."""
    pairs = [pair.strip() for pair in header.split(";") if pair.strip()]
    return "; ".join(pair for pair in pairs if pair.partition("=")[0].strip() not in names)


class _Body:
    """The incoming body as a file of known length: requests then sends Content-Length and reads it in blocks."""

    def __init__(self, request: HttpRequest, length: int) -> None:
        self.request = request
        self.length = length

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        return self.request.read(size)

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(CHUNK_BYTES):
            yield block


def _body(request: HttpRequest) -> _Body | None:
    # Django reads request bodies by Content-Length only (a chunked body reads as empty).
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return _Body(request, length) if length > 0 else None


def _answer(request: HttpRequest, upstream: requests.Response) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_content(upstream), status=upstream.status_code, reason=upstream.reason)
    del response["Content-Type"]  # the app's, if it sent one
    named = _connection_tokens(upstream.headers.get("Connection", ""))
    # urllib3's headers keep each Set-Cookie (and any repeated header) apart.
    for name, value in upstream.raw.headers.items():
        lower = name.lower()
        if lower in HOP_BY_HOP or lower in named:
            continue
        if lower == "set-cookie":
            _pass_cookie(response, value)
            continue
        if lower == "location":
            value = _gateway_location(request, value)
        response[name] = f"{response[name]}, {value}" if name in response else value
    return response


def _content(upstream: requests.Response) -> Iterator[bytes]:
    """The body as it arrives, block by block (each no later than the app sent it).

    As sent: still compressed when the app compressed it, so Content-Length and -Encoding stay true.
    """
    raw = upstream.raw
    try:
        if raw.chunked and raw.supports_chunked_reads():
            yield from raw.read_chunked(CHUNK_BYTES, decode_content=False)
        else:
            # read1: whatever has arrived, up to a block (read() would wait for a whole block).
            while block := raw.read1(CHUNK_BYTES, decode_content=False):
                yield block
    finally:
        upstream.close()


def _pass_cookie(response: HttpResponseBase, header: str) -> None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        logger.warning("Dropped a Set-Cookie header of the app that Python's http.cookies cannot read")
        return
    for name, morsel in jar.items():
        # The app may not set (or delete) the gateway's cookies.
        if name not in sessions.GATEWAY_COOKIES:
            response.cookies[name] = morsel


def _gateway_location(request: HttpRequest, location: str) -> str:
    app, target = urlsplit(settings.EMULATOR_GATEWAY_APP_URL), urlsplit(location)
    if (target.scheme.lower(), target.netloc.lower()) != (app.scheme.lower(), app.netloc.lower()):
        return location
    return urlunsplit((request.scheme or "http", request.get_host(), target.path, target.query, target.fragment))
