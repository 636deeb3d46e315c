"""One policy for people who can't be served: not signed in, signed out, not allowed, MindSphere down.

Each answer depends on the kind of request: htmx requests get `HX-Redirect` (a plain redirect would
be swapped into the page), JSON clients a status with a JSON body, browsers a page or a redirect.
So every answer here varies on `Accept` too; `HX-Request` is in every response's Vary already
(project/htmx.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render, resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_htmx.http import HttpResponseClientRedirect

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from . import texts
from .app_settings import app_settings
from .request_types import htmx_of
from .session import ENDED_EVERYWHERE, SIGNED_OUT_COOKIE, ended_everywhere, sign_out, why_signed_out


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def safe_next(request: HttpRequest, value: str | None) -> str | None:
    """`value` if it is a path on this site, else None (no open redirects)."""
    if (
        value
        and value.startswith("/")
        and not value.startswith("//")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return None


def login_url(next_path: str | None = None) -> str:
    """The Login page (settings.LOGIN_URL), coming back to `next_path` after sign-in."""
    url = resolve_url(settings.LOGIN_URL)
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def _varies(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["Accept"])
    return response


def login_required_response(
    request: HttpRequest, *, htmx_status: int = 200, message: StrOrPromise = ""
) -> HttpResponse:
    """Send someone who is not signed in to the Login page.

    htmx: `HX-Redirect` (with `htmx_status`: 401 for the session check); JSON: 401 with the login
    URL; a browser: a redirect. After sign-in the person comes back to the page they were on.
    """
    if ended_everywhere(request):
        # Signed out on another device with "Sign out everywhere": this device is told why, once.
        return signed_out_response(request, htmx_status=htmx_status)
    return _login_required(request, htmx_status=htmx_status, message=message)


def _login_required(request: HttpRequest, *, htmx_status: int, message: StrOrPromise) -> HttpResponse:
    if htmx_of(request):
        # Back to the page the person is on (htmx sends its URL), not to the fragment asked for.
        response: HttpResponse = HttpResponseClientRedirect(
            login_url(safe_next(request, htmx_of(request).current_url_abs_path))
        )
        response.status_code = htmx_status
    elif wants_json(request):
        body = {"error": "signed_out" if message else "login_required", "login_url": login_url()}
        response = JsonResponse({**body, "message": message or texts.LOGIN_REQUIRED}, status=401)
    else:
        response = HttpResponseRedirect(login_url(request.get_full_path() if request.method == "GET" else None))
    return _varies(response)


def signed_out_response(request: HttpRequest, *, htmx_status: int = 200) -> HttpResponse:
    """The person's MindSphere session is over: sign them out, say so, and go to the Login page.

    Why it ended decides the words: "signed out on all your devices" when the person did that on
    another device (sso.session marks those sessions), else "your MindSphere session has ended".
    """
    text = texts.SIGNED_OUT_ELSEWHERE if ended_everywhere(request) else texts.SIGNED_OUT
    sign_out(request)
    messages.warning(request, text)
    return login_required_response(request, htmx_status=htmx_status, message=text)


def signed_out_check_response(request: HttpRequest) -> HttpResponse:
    """The session check of a session that signs no one in: 401, and nothing stored on the server.

    Not `signed_out_response`: that ends the session and keeps a message in it, so a made-up cookie
    would store a new session each time, and a tab's check would end a sign-in another tab has in
    progress in the same session. Why the session ended travels to the Login page in a signed,
    short-lived cookie instead.
    """
    reason = why_signed_out(request)
    text: StrOrPromise = ""
    if reason:
        text = texts.SIGNED_OUT_ELSEWHERE if reason == ENDED_EVERYWHERE else texts.SIGNED_OUT
    response = _login_required(request, htmx_status=401, message=text)
    if reason:
        response.set_signed_cookie(
            SIGNED_OUT_COOKIE,
            reason,
            salt=SIGNED_OUT_COOKIE,
            max_age=600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def signed_out_text(request: HttpRequest) -> StrOrPromise:
    """What the Login page says about the session a check found over (`signed_out_check_response`)."""
    reason = request.get_signed_cookie(SIGNED_OUT_COOKIE, default=None, salt=SIGNED_OUT_COOKIE, max_age=600)
    if reason == ENDED_EVERYWHERE or ended_everywhere(request):
        return texts.SIGNED_OUT_ELSEWHERE
    return texts.SIGNED_OUT if reason else ""


def forbidden_response(request: HttpRequest, message: StrOrPromise = "") -> HttpResponse:
    """403 for a signed-in person without the role a page needs; htmx goes to their own home page."""
    if htmx_of(request):
        response: HttpResponse = HttpResponseClientRedirect(resolve_url(settings.LOGIN_REDIRECT_URL))
        response.status_code = 403
    elif wants_json(request):
        response = JsonResponse({"error": "forbidden", "message": message or texts.FORBIDDEN}, status=403)
    else:
        # The page's heading already says texts.FORBIDDEN; only a more specific message is added.
        response = render(request, "403.html", {"message": message}, status=403)
    return _varies(response)


def rate_limited_text(retry_after: int | None) -> str:
    """What people are told when MindSphere answered 429: wait, and they are still signed in."""
    return str(texts.RATE_LIMITED).format(seconds=retry_after or app_settings.MINDSPHERE_RETRY_AFTER)


def bad_request_response(request: HttpRequest, message: StrOrPromise, retry_url: str = "") -> HttpResponse:
    """400 for a query the page cannot use (e.g. `?range=forever`): the error page, or JSON.

    `retry_url`: the same page with its usual choices, offered as the next step.
    """
    if wants_json(request):
        response: HttpResponse = JsonResponse({"error": "bad_request", "message": message}, status=400)
    else:
        response = render(request, "400.html", {"message": message, "retry_url": retry_url}, status=400)
    return _varies(response)


def unavailable_response(
    request: HttpRequest, retry_after: int | None = None, *, rate_limited: bool = False
) -> HttpResponse:
    """503 with Retry-After; the person stays signed in. `rate_limited`: MindSphere answered 429."""
    seconds = retry_after or app_settings.MINDSPHERE_RETRY_AFTER
    message = rate_limited_text(seconds) if rate_limited else texts.UNAVAILABLE
    error = "rate_limited" if rate_limited else "unavailable"
    if wants_json(request) or htmx_of(request):
        response: HttpResponse = JsonResponse({"error": error, "message": message, "retry_after": seconds}, status=503)
    else:
        title = texts.RATE_LIMITED_TITLE if rate_limited else ""
        response = render(request, "sso/unavailable.html", {"message": message, "title": title}, status=503)
    response["Retry-After"] = str(seconds)
    return _varies(response)


def api_error_response(request: HttpRequest, error) -> HttpResponse:
    """MindSphere answered an error to an API call: say so plainly (502; 404 stays 404)."""
    status = 404 if error.status == 404 else 502
    message = f"MindSphere could not answer this request: {error.message}"
    if wants_json(request) or htmx_of(request):
        response: HttpResponse = JsonResponse(
            {"error": "mindsphere_error", "status": error.status, "message": message}, status=status
        )
    else:
        response = render(request, "sso/api_error.html", {"message": message, "status": error.status}, status=status)
    return _varies(response)
