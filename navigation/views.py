"""`/` (the Login page or the person's role home), the role home pages and the Account page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from sso import session
from sso.app_settings import app_settings
from sso.models import TokenRecord
from sso.request_types import SignedInRequest
from sso.roles import role_names
from sso.session import record_id
from sso.views import login_page

from .access import role_required, signed_in_required
from .homes import RoleHome, role_home_for


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: the Login page. Signed in: the first role home page, or the no-role page."""
    if not request.user.is_authenticated:
        return login_page(request)
    home_page = role_home_for(role_names(request.user))
    if home_page is None:  # no role, or only roles without a home page
        return render(request, "navigation/no_role.html", _session_context(request), status=403)
    return HttpResponseRedirect(reverse(home_page.url_name))


def _session_context(request: HttpRequest) -> dict:
    # From the session (kept there at sign-in and at each refresh): no query for identity or record.
    return {
        "identity": session.identity(request),
        "roles": sorted(role_names(request.user)),
        "session_ends": session.ends_at(request),
    }


def role_home(home_page: RoleHome) -> Callable[..., HttpResponseBase]:
    """The view of a role's home page (navigation/homes.py), for that role only.

    navigation/urls.py makes one per home, so each page declares its own role where its view is.
    """

    @never_cache
    @role_required(home_page.role)
    def view(request: HttpRequest) -> HttpResponse:
        return _render_role_home(request, home_page)

    view.__name__ = view.__qualname__ = f"{home_page.slug}_home"
    return view


def _render_role_home(request: HttpRequest, home_page: RoleHome) -> HttpResponse:
    context = _session_context(request)
    context["home"] = home_page
    if home_page.context:
        context.update(import_string(home_page.context)(request, context))
    return render(request, home_page.template, context)


@never_cache
@signed_in_required  # people with no role too: their language, and sign out
def account(request: SignedInRequest) -> HttpResponse:
    """Who is signed in, to which tenant, with which roles, until when; language; sign out here or everywhere."""
    context = _session_context(request)
    context["other_sessions"] = _other_sessions(request)
    context["app_name"] = app_settings.MINDSPHERE_APP_NAME
    context["app_version"] = app_settings.MINDSPHERE_APP_VERSION
    context["has_home"] = role_home_for(role_names(request.user)) is not None
    return render(request, "navigation/account.html", context)


def _other_sessions(request: SignedInRequest) -> int:
    others, current = TokenRecord.objects.filter(user=request.user), record_id(request)
    return (others.exclude(pk=current) if current is not None else others).count()


@never_cache
@signed_in_required
def sign_out_everywhere(request: SignedInRequest) -> HttpResponse:
    """The step before signing out everywhere: what it does, with *Sign out everywhere* and *Cancel*.

    A page rather than a script's dialog (the CSP allows no inline script, and it works without
    JavaScript); its button posts to sso's sign-out, which needs no other confirmation.
    """
    return render(request, "navigation/sign_out_everywhere.html", {"other_sessions": _other_sessions(request)})


@require_POST
@signed_in_required
def change_language(request: HttpRequest) -> HttpResponse:
    """Django's `set_language` (the cookie, back to `next`), then a confirmation in the new language."""
    response = set_language(request)
    code = request.POST.get("language", "")
    names = dict(settings.LANGUAGES)
    if code in names:
        with translation.override(code):
            messages.success(request, gettext("The app is now in %(language)s.") % {"language": names[code]})
    return response
