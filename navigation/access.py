"""Role-based access: each page declares its roles where its view is, and the menu asks the view.

`role_required(...)` guards a view and marks it with the roles it lets in (`page_roles`), so the
menu can read a page's roles from the view its URL name resolves to: no list of roles elsewhere.
`signed_in_required` marks a page for every signed-in person, with a role or none (Account).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, wraps

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.urls import resolve, reverse

from sso import decorators as sso_decorators
from sso.responses import forbidden_response, login_required_response
from sso.roles import has_role

# A role name, or a function giving role names when asked (e.g. every role with a home page).
Roles = str | Callable[[], Iterable[str]]
View = Callable[..., HttpResponseBase]


def role_required(*roles: Roles, privileged: bool = False) -> Callable[[View], View]:
    """Signed-in people with one of `roles` pass; others get 403, and anonymous people the Login page.

    The view gets `page_roles()`, the role names it lets in (read at each call, so functions
    follow the declarations and settings). Put it outside `mindsphere_required`, so the role is
    checked before any token refresh.

    `privileged=True` for pages and actions that give power over others (a tenant's roles): the
    role is checked on the person's roles as MindSphere gives them now (sso.decorators.privileged:
    the token check runs before the view, and a due refresh re-syncs the roles), so a role removed
    in MindSphere stops counting within the access token's lifetime.
    """
    names = frozenset(role for role in roles if isinstance(role, str))
    sources = [role for role in roles if not isinstance(role, str)]

    def page_roles() -> frozenset[str]:
        return names.union(*(source() for source in sources)) if sources else names

    def has_page_role(request: HttpRequest) -> bool:
        return has_role(request.user, page_roles())

    def decorator(view: View) -> View:
        if privileged:
            return _marked(sso_decorators.privileged(has_page_role)(view), page_roles)

        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return login_required_response(request)
            if not has_page_role(request):
                return forbidden_response(request)
            return view(request, *args, **kwargs)

        return _marked(wrapper, page_roles)

    return decorator


def signed_in_required(view: View) -> View:
    """Every signed-in person passes, with a role or without one; anonymous people get the Login page.

    For the pages a person with no role needs too (Account: language, sign out). The menu shows
    such a page to everyone signed in.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return login_required_response(request)
        return view(request, *args, **kwargs)

    wrapper.for_everyone_signed_in = True  # type: ignore[attr-defined]
    return wrapper


def _marked(wrapper: View, page_roles: Callable[[], frozenset[str]]) -> View:
    # Decorators outside this one (never_cache, vary_on_headers...) copy it with functools.wraps.
    wrapper.page_roles = page_roles  # type: ignore[attr-defined]
    return wrapper


@cache  # URLs do not change while the process runs; the menu asks on every signed-in page
def _view(url_name: str) -> View:
    return resolve(reverse(url_name)).func


@receiver(setting_changed)
def _forget_views(*, setting: str, **kwargs) -> None:
    # Tests switch URLconfs; Django forgets its own resolved URLs then too (django.test.signals).
    if setting == "ROOT_URLCONF":
        _view.cache_clear()


def page_roles(url_name: str) -> frozenset[str] | None:
    """The roles the page named `url_name` (taking no arguments) lets in; None if it declares none."""
    declared = getattr(_view(url_name), "page_roles", None)
    return declared() if declared else None


def for_everyone_signed_in(url_name: str) -> bool:
    """Whether the page named `url_name` is for every signed-in person (`signed_in_required`)."""
    return getattr(_view(url_name), "for_everyone_signed_in", False)


def may_open(user, url_name: str) -> bool:
    """Whether `user` may open the page named `url_name` (a page that declares neither: nobody)."""
    if for_everyone_signed_in(url_name):
        return user.is_authenticated
    return has_role(user, page_roles(url_name) or ())
