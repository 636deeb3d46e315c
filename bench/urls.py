"""The app's URLs plus the reference views the benchmark compares against (bench only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def bare_anonymous(request: HttpRequest) -> HttpResponse:
    """The floor: Django's middleware and nothing else."""
    return HttpResponse(status=204)


def bare_signed_in(request: HttpRequest) -> HttpResponse:
    """The cheapest signed-in view: load the session and the user, nothing else."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


def bare_session(request: HttpRequest) -> HttpResponse:
    """The floor of any check that must see a sign-out made elsewhere: read the shared session, nothing else."""
    return HttpResponse(status=204 if request.session.get("_auth_user_id") else 401)


def bare_layout(request: HttpRequest) -> HttpResponse:
    """The floor of every signed-in page: the signed-in layout (app bar, menu) with no content."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    return render(request, "base_signed_in.html")


urlpatterns = [
    path("bench/anonymous/", bare_anonymous),
    path("bench/signed-in/", bare_signed_in),
    path("bench/session/", bare_session),
    path("bench/layout/", bare_layout),
    path("", include("project.urls")),
]
