"""The Login page, the session check that the lifecycle include calls, and sign-out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from mindsphere.exceptions import ProviderUnavailableError

from . import tenants, texts
from .app_settings import app_settings
from .exceptions import SignedOutError
from .responses import (
    safe_next,
    signed_out_check_response,
    signed_out_response,
    signed_out_text,
    unavailable_response,
)
from .session import LAST_TENANT_COOKIE, SIGNED_OUT_COOKIE, check, ended_everywhere, sign_out

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def login_page(
    request: HttpRequest,
    *,
    error: StrOrPromise = "",
    tenant: str | None = None,
    next_url: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The Login page: the tenant form, which posts to the provider's login view."""
    if notice := signed_out_text(request):
        # Shown in this very response: the message is read before the response, so none is stored.
        messages.warning(request, notice)
    if ended_everywhere(request):
        sign_out(request)  # only the mark goes: a sign-in in progress in another tab keeps its session
    context = {
        "error": error,
        "tenant": tenant if tenant is not None else request.COOKIES.get(LAST_TENANT_COOKIE, ""),
        "next": next_url or safe_next(request, request.GET.get("next")) or "",
    }
    response = render(request, "sso/login.html", context, status=status)
    if SIGNED_OUT_COOKIE in request.COOKIES:
        response.delete_cookie(SIGNED_OUT_COOKIE, samesite="Lax")
    return response


@require_GET
def session_check(request: HttpRequest) -> HttpResponse:
    """204 valid or refreshed; 401 + HX-Redirect signed out; 503 + Retry-After when unreachable.

    Every open page calls it every minute, so its valid path reads the session and nothing else
    (sso.session.check): request.user is not loaded.
    """
    response = _checked(request)
    # `no-store` is all a fetch needs to never reuse an answer; never_cache's five directives and
    # Expires date cost a fifth of this view's own time (docs/performance.md).
    response["Cache-Control"] = "no-store"
    return response


def _checked(request: HttpRequest) -> HttpResponse:
    try:
        if not check(request):
            return signed_out_check_response(request)
    except SignedOutError:
        return signed_out_response(request, htmx_status=401)
    except ProviderUnavailableError as error:
        return unavailable_response(request, error.retry_after)
    return HttpResponse(status=204)


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
    login = request.build_absolute_uri(resolve_url(settings.LOGIN_URL))
    if not tenant:
        return HttpResponseRedirect(login)
    # UAA (MindSphere's sign-in service) takes `redirect` and `client_id`; `redirect_uri` too is
    # kept for servers that follow OpenID Connect's names. UAA ignores parameters it does not know.
    params = {"redirect": login, "client_id": app_settings.MINDSPHERE_CLIENT_ID, "redirect_uri": login}
    return HttpResponseRedirect(f"{tenants.logout_url(tenant)}?{urlencode(params)}")
