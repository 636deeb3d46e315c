"""Sign-in start, the session check the lifecycle include calls, and sign-out."""
from __future__ import annotations

import logging

from allauth.socialaccount.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from navigation.views import login_page

from . import messages as texts
from . import tenants
from .exceptions import ProviderUnavailableError, SignedOutError
from .responses import safe_next, signed_out_response, unavailable_response
from .session import LAST_TENANT_COOKIE, checked_record, sign_out

logger = logging.getLogger(__name__)

LAST_TENANT_MAX_AGE = 365 * 24 * 3600


@never_cache
@require_POST
def login_start(request: HttpRequest) -> HttpResponse:
    """The Login page's form posts here: validate the tenant, then go to its sign-in."""
    raw = request.POST.get("tenant", "")
    next_url = safe_next(request, request.POST.get("next"))
    try:
        tenant = tenants.clean_tenant(raw)
    except tenants.InvalidTenantError as error:
        return login_page(request, error=str(error), tenant=raw[:100], next_url=next_url, status=400)
    provider = get_adapter(request).get_provider(request, "mindsphere")
    response = provider.redirect_to_tenant(request, tenant, next_url)
    response.set_cookie(
        LAST_TENANT_COOKIE,
        tenant,
        max_age=LAST_TENANT_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@never_cache
@require_GET
def session_check(request: HttpRequest) -> HttpResponse:
    """204 valid or refreshed; 401 + HX-Redirect signed out; 503 + Retry-After when unreachable."""
    if not request.user.is_authenticated:
        return signed_out_response(request, status_for_htmx=401) if request.htmx else _unauthorized()
    try:
        checked_record(request)
    except SignedOutError:
        response = signed_out_response(request, status_for_htmx=401)
        response.status_code = 401
        return response
    except ProviderUnavailableError as error:
        return unavailable_response(request, error.retry_after)
    return HttpResponse(status=204)


def _unauthorized() -> HttpResponse:
    response = HttpResponse(status=401)
    response["HX-Redirect"] = reverse("navigation:home")
    return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End this session, then pass through the tenant's logout.do back to the Login page."""
    return _sign_out(request, everywhere=False)


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of this person (all devices), then the same as logout."""
    return _sign_out(request, everywhere=True)


def _sign_out(request: HttpRequest, *, everywhere: bool) -> HttpResponse:
    tenant = sign_out(request, everywhere=everywhere)
    messages.success(request, texts.SIGNED_OUT_EVERYWHERE if everywhere else texts.SIGNED_OUT_BY_YOU)
    home = request.build_absolute_uri(reverse("navigation:home"))
    if not tenant:
        return HttpResponseRedirect(home)
    return HttpResponseRedirect(f"{tenants.logout_url(tenant)}?{urlencode({'redirect_uri': home})}")
