"""The app's URLs plus the two reference views the benchmark compares against (bench only)."""
from django.http import HttpRequest, HttpResponse
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


urlpatterns = [
    path("bench/anonymous/", bare_anonymous),
    path("bench/signed-in/", bare_signed_in),
    path("bench/session/", bare_session),
    path("", include("project.urls")),
]
