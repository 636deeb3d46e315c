"""`/` (the Login page or the person's role home), the role home pages and the Account page."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache

from sso import roles, session
from sso.app_settings import app_settings
from sso.models import MindSphereIdentity, TokenRecord
from sso.roles import role_names
from sso.session import record_id
from sso.views import login_page
from sso.request_types import SignedInRequest

from .access import role_required
from .homes import RoleHome, home_roles, role_home_for


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: the Login page. Signed in: the first role home page, or the no-role page."""
    if not request.user.is_authenticated:
        return login_page(request)
    home_page = role_home_for(role_names(request.user))
    if home_page is None:  # no role, or only roles without a home page
        return render(request, "sso/no_role.html", _session_context(request), status=403)
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


def admin_context(request: SignedInRequest, context: dict) -> dict:
    """The Admin home's own data: the mapping that counts for the admin's tenant, and how many people it has."""
    tenant = context["identity"].tenant if context["identity"] else ""
    mappings, own = roles.effective_mapping(tenant)
    return {
        "mappings": mappings,
        "own_mapping": own,
        "people_count": MindSphereIdentity.objects.filter(tenant=tenant).count() if tenant else 0,
    }


@never_cache
@role_required(home_roles)  # everyone with a role home page
def account(request: SignedInRequest) -> HttpResponse:
    """Who is signed in, to which tenant, with which roles, until when; sign out here or everywhere."""
    context = _session_context(request)
    others, current = TokenRecord.objects.filter(user=request.user), record_id(request)
    context["other_sessions"] = (others.exclude(pk=current) if current is not None else others).count()
    context["app_name"] = app_settings.MINDSPHERE_APP_NAME
    context["app_version"] = app_settings.MINDSPHERE_APP_VERSION
    return render(request, "navigation/account.html", context)
