"""Role-based access on top of Django's own tools (groups and user_passes_test)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect


def role_names(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def role_required(*roles: str) -> Callable:
    """Signed-in people with one of `roles` pass; others get 403 (anonymous: the Login page)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if request.htmx:  # a redirect would be followed and swapped into the page
                    return HttpResponseClientRedirect(f"/?{urlencode({'next': request.get_full_path()})}")
                return redirect_to_login(request.get_full_path(), login_url="/")
            if not role_names(request.user) & set(roles):
                raise PermissionDenied("This page is for another role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
