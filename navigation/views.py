"""The Login page (anonymous home), the role home pages and the no-role page."""
from __future__ import annotations

from django.contrib.auth.models import Group
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from sso.models import MindSphereIdentity, ScopeRoleMapping, TokenRecord
from sso.responses import safe_next
from sso.roles import has_role
from sso.session import LAST_TENANT_COOKIE, record_id

from .access import role_names, role_required
from .menus import menu_page
from .registry import RoleHome, role_home_by_slug, role_home_by_url_name, role_home_for


def login_page(
    request: HttpRequest, *, error: str = "", tenant: str | None = None, next_url: str | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "error": error,
        "tenant": tenant if tenant is not None else request.COOKIES.get(LAST_TENANT_COOKIE, ""),
        "next": next_url or safe_next(request, request.GET.get("next")) or "",
    }
    return render(request, "navigation/login.html", context, status=status)


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: the Login page. Signed in: the first role home page, or the no-role page."""
    if not request.user.is_authenticated:
        return login_page(request)
    if not has_role(request.user):
        return render(request, "sso/no_role.html", _session_context(request), status=403)
    home_page = role_home_for(role_names(request.user))
    if home_page is None:  # a role with a mapping but no home page in the registry
        return render(request, "sso/no_role.html", _session_context(request), status=403)
    return HttpResponseRedirect(reverse(home_page.url_name))


def _session_context(request: HttpRequest) -> dict:
    identity = MindSphereIdentity.objects.filter(user=request.user).first()
    record = TokenRecord.objects.filter(pk=record_id(request), user=request.user).first()
    return {
        "identity": identity,
        "roles": sorted(role_names(request.user)),
        "session_ends": record.refresh_expires_at if record else request.session.get_expiry_date(),
    }


@never_cache
@menu_page("navigation:admin_home")
def admin_home(request: HttpRequest) -> HttpResponse:
    home_page = role_home_by_url_name("navigation:admin_home")
    context = _session_context(request)
    tenant = context["identity"].tenant if context["identity"] else None
    context.update(
        {
            "home": home_page,
            "mappings": ScopeRoleMapping.objects.select_related("group"),
            "tenant_users": MindSphereIdentity.objects.filter(tenant=tenant)
            .select_related("user")
            .prefetch_related("user__groups")
            .order_by("email"),
            "groups": Group.objects.order_by("name"),
        }
    )
    return render(request, home_page.template, context)


@never_cache
@menu_page("navigation:user_home")
def user_home(request: HttpRequest) -> HttpResponse:
    home_page = role_home_by_url_name("navigation:user_home")
    context = _session_context(request)
    context["home"] = home_page
    return render(request, home_page.template, context)


@never_cache
def role_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A home page added with `startrolehome`: the registry entry's template, for its role only."""
    home_page = role_home_by_slug(slug)
    if home_page is None:
        raise Http404("No such role home page.")
    return role_required(home_page.role)(_render_role_home)(request, home_page)


def _render_role_home(request: HttpRequest, home_page: RoleHome) -> HttpResponse:
    context = _session_context(request)
    context["home"] = home_page
    return render(request, home_page.template, context)


@never_cache
@menu_page("navigation:account")
def account(request: HttpRequest) -> HttpResponse:
    """Who is signed in, to which tenant, with which roles, until when; sign out here or everywhere."""
    context = _session_context(request)
    context["other_sessions"] = (
        TokenRecord.objects.filter(user=request.user).exclude(pk=record_id(request)).count()
    )
    return render(request, "navigation/account.html", context)
