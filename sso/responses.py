"""Answers for a person whose session ended or whose MindSphere is unreachable, per kind of request."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_htmx.http import HttpResponseClientRedirect

from . import conf
from . import messages as texts
from .session import sign_out


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def safe_next(request: HttpRequest, value: str | None) -> str | None:
    """`value` if it is a path on this site, else None (no open redirects)."""
    if (
        value
        and value.startswith("/")
        and not value.startswith("//")
        and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    ):
        return value
    return None


def login_url(next_path: str | None = None) -> str:
    url = reverse("navigation:home")
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def signed_out_response(request: HttpRequest, *, status_for_htmx: int = 200) -> HttpResponse:
    """Sign out, then: htmx gets HX-Redirect, JSON clients 401 + login URL, browsers a redirect with `next`."""
    sign_out(request)
    messages.warning(request, texts.SIGNED_OUT)
    next_path = request.get_full_path() if request.method == "GET" and not request.htmx else None
    if request.htmx:
        response = HttpResponseClientRedirect(login_url())
        response.status_code = status_for_htmx
        return response
    if wants_json(request):
        return JsonResponse({"error": "signed_out", "message": texts.SIGNED_OUT, "login_url": login_url()}, status=401)
    return HttpResponseRedirect(login_url(next_path))


def unavailable_response(request: HttpRequest, retry_after: int | None = None) -> HttpResponse:
    """503 with Retry-After; the person stays signed in."""
    seconds = retry_after or conf.get("MINDSPHERE_RETRY_AFTER")
    if wants_json(request) or request.htmx:
        response = JsonResponse({"error": "unavailable", "message": texts.UNAVAILABLE, "retry_after": seconds}, status=503)
    else:
        response = render(request, "sso/unavailable.html", {"message": texts.UNAVAILABLE}, status=503)
    response["Retry-After"] = str(seconds)
    return response


def api_error_response(request: HttpRequest, error) -> HttpResponse:
    """MindSphere answered an error to an API call: say so plainly (502; 404 stays 404)."""
    status = 404 if error.status == 404 else 502
    message = f"MindSphere could not answer this request: {error.message}"
    if wants_json(request) or request.htmx:
        return JsonResponse({"error": "mindsphere_error", "status": error.status, "message": message}, status=status)
    return render(request, "sso/api_error.html", {"message": message, "status": error.status}, status=status)
