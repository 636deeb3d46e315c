"""`/` (the Login page or the person's role home), the role home pages and the Account page."""
from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache

from sso import roles, session
from sso.app_settings import app_settings
from sso.models import MindSphereIdentity, TokenRecord
from sso.roles import has_role
from sso.session import record_id
from sso.views import login_page

from .access import role_names, role_required
from .homes import RoleHome, role_home_by_slug, role_home_for
from .menus import menu_page


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: the Login page. Signed in: the first role home page, or the no-role page."""
    if not request.user.is_authenticated:
        return login_page(request)
    home_page = role_home_for(role_names(request.user)) if has_role(request.user) else None
    if home_page is None:  # no mapped role, or a mapped role without a home page
        return render(request, "sso/no_role.html", _session_context(request), status=403)
    return HttpResponseRedirect(reverse(home_page.url_name))


def _session_context(request: HttpRequest) -> dict:
    # From the session (kept there at sign-in and at each refresh): no query for identity or record.
    return {
        "identity": session.identity(request),
        "roles": sorted(role_names(request.user)),
        "session_ends": session.ends_at(request),
    }


@never_cache
def role_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A role's home page (navigation/homes.py), for that role only."""
    home_page = role_home_by_slug(slug)
    if home_page is None:
        raise Http404("No such role home page.")
    return role_required(home_page.role)(_render_role_home)(request, home_page)


def _render_role_home(request: HttpRequest, home_page: RoleHome) -> HttpResponse:
    context = _session_context(request)
    context["home"] = home_page
    if home_page.context:
        context.update(import_string(home_page.context)(request, context))
    return render(request, home_page.template, context)


def admin_context(request: HttpRequest, context: dict) -> dict:
    """The Admin home's own data: the mapping that counts for the admin's tenant, and how many people it has."""
    tenant = context["identity"].tenant if context["identity"] else ""
    mappings, own = roles.effective_mapping(tenant)
    return {
        "mappings": mappings,
        "own_mapping": own,
        "people_count": MindSphereIdentity.objects.filter(tenant=tenant).count() if tenant else 0,
    }


@never_cache
@menu_page("navigation:account")
def account(request: HttpRequest) -> HttpResponse:
    """Who is signed in, to which tenant, with which roles, until when; sign out here or everywhere."""
    context = _session_context(request)
    context["other_sessions"] = TokenRecord.objects.filter(user=request.user).exclude(pk=record_id(request)).count()
    context["app_name"] = app_settings.MINDSPHERE_APP_NAME
    context["app_version"] = app_settings.MINDSPHERE_APP_VERSION
    return render(request, "navigation/account.html", context)
