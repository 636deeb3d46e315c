"""Role-based access on top of Django's own tools (groups, and the sign-in policy of sso.responses)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from sso.responses import forbidden_response, login_required_response


def role_names(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def role_required(*roles: str) -> Callable:
    """Signed-in people with one of `roles` pass; others get 403, and anonymous people the Login page.

    Put it outside `mindsphere_required`, so the role is checked before any token refresh.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return login_required_response(request)
            if not role_names(request.user) & set(roles):
                return forbidden_response(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
