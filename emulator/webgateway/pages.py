"""The gateway's own pages: a strict policy (no inline script or style anywhere) and never cached."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src * data:",  # an app's icon may live anywhere
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def own(response: HttpResponse) -> HttpResponse:
    """The headers of the gateway's own answers (the app's answers pass through untouched)."""
    response["Content-Security-Policy"] = POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def page(request: HttpRequest, template: str, context: dict | None = None, status: int = 200) -> HttpResponse:
    return own(render(request, f"emulator/webgateway/{template}", context or {}, status=status))


def problem(request: HttpRequest, message: str, status: int, *, retry_after: int | None = None) -> HttpResponse:
    response = page(request, "problem.html", {"message": message, "status": status}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
