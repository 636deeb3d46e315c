"""PIAM endpoints per tenant: sign-in (authorize), token, token_keys and logout.do."""

from __future__ import annotations

import json
import logging
import time

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from oauthlib.oauth2 import FatalClientError, OAuth2Error

from . import faults, stats
from .keys import jwks
from .models import Application, Fault, GrantEvent, Tenant, TenantUser
from .oauth import Server, oauthlib_args

logger = logging.getLogger(__name__)

SESSION_USER_KEY = "emulator_user:{tenant}"


def _tenant_or_none(name: str) -> Tenant | None:
    return Tenant.objects.filter(name=name).first()


def unknown_tenant_page(request: HttpRequest, name: str) -> HttpResponse:
    return render(request, "emulator/unknown_tenant.html", {"name": name}, status=404)


def unknown_tenant_json(name: str) -> JsonResponse:
    return JsonResponse({"error": "invalid_request", "error_description": f"There is no tenant '{name}'."}, status=404)


def _oauth_response(headers: dict, body: str | None, status: int) -> HttpResponse:
    response = HttpResponse(body or "", status=status)
    for key, value in headers.items():
        response[key] = value
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest, tenant: str) -> HttpResponse:
    """The tenant's sign-in page; on success redirects to the client with a code."""
    tenant_obj = _tenant_or_none(tenant)
    if tenant_obj is None:
        return unknown_tenant_page(request, tenant)
    server = Server(tenant_obj, request)
    uri = request.build_absolute_uri()
    try:
        # The OAuth parameters stay in the query string; the form posts back to the same URL.
        scopes, credentials = server.validate_authorization_request(uri, "GET", None, {})
    except FatalClientError as error:
        # A bad client or redirect URI must never be redirected to (RFC 6749, section 4.1.2.1).
        return render(request, "emulator/authorize_error.html", {"tenant": tenant_obj, "error": error}, status=400)
    except OAuth2Error as error:
        return HttpResponseRedirect(error.in_uri(error.redirect_uri))

    user, message = None, ""
    session_key = SESSION_USER_KEY.format(tenant=tenant_obj.name)
    if request.method == "POST":
        user = _authenticate(tenant_obj, request.POST.get("email", ""), request.POST.get("password", ""))
        if user is None:
            message = f"That email and password do not match an account in tenant {tenant_obj.name}."
        else:
            request.session.cycle_key()
            request.session[session_key] = user.pk
    elif request.GET.get("prompt") != "login":
        known = request.session.get(session_key)
        user = TenantUser.objects.filter(pk=known, tenant=tenant_obj, is_active=True).first() if known else None

    if user is None:
        context = {"tenant": tenant_obj, "message": message, "email": request.POST.get("email", "")}
        return render(request, "emulator/signin.html", context, status=401 if message else 200)

    credentials.update({"user": user, "tenant": tenant_obj})
    credentials.pop("request", None)
    headers, body, status = server.create_authorization_response(
        uri, "GET", None, {}, scopes=scopes, credentials=credentials
    )
    stats.record(tenant_obj.name, GrantEvent.Kind.AUTHORIZATION_CODE)
    return _oauth_response(headers, body, status)


def _authenticate(tenant: Tenant, email: str, password: str) -> TenantUser | None:
    user = TenantUser.objects.filter(tenant=tenant, email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.check_password(password):
        return None
    return user


@csrf_exempt
@never_cache
@require_POST
def token(request: HttpRequest, tenant: str) -> HttpResponse:
    """The token endpoint: authorization_code (PKCE S256) and refresh_token grants."""
    tenant_obj = _tenant_or_none(tenant)
    if tenant_obj is None:
        return unknown_tenant_json(tenant)
    grant_type = request.POST.get("grant_type", "")
    failure_kind = (
        GrantEvent.Kind.REFRESH_FAILURE if grant_type == "refresh_token" else GrantEvent.Kind.CODE_EXCHANGE_FAILURE
    )
    fault = faults.take(tenant_obj.name)
    if fault is not None:
        if fault.mode == Fault.Mode.HANG:
            time.sleep(fault.hang_seconds)
        else:
            stats.record(tenant_obj.name, failure_kind)
            return faults.response(fault)
    uri, method, body, headers = oauthlib_args(request)
    with transaction.atomic():
        headers, body, status = Server(tenant_obj, request).create_token_response(uri, method, body, headers)
    if status == 200:
        success = GrantEvent.Kind.REFRESH if grant_type == "refresh_token" else GrantEvent.Kind.CODE_EXCHANGE
        stats.record(tenant_obj.name, success)
    else:
        stats.record(tenant_obj.name, failure_kind)
        logger.info("Token request refused for tenant %s: %s", tenant_obj.name, _error_code(body))
    return _oauth_response(headers, body, status)


def _error_code(body: str | None) -> str:
    try:
        return json.loads(body or "{}").get("error", "unknown")
    except ValueError:
        return "unknown"


@require_GET
def token_keys(request: HttpRequest, tenant: str) -> HttpResponse:
    tenant_obj = _tenant_or_none(tenant)
    if tenant_obj is None:
        return unknown_tenant_json(tenant)
    return JsonResponse(jwks(tenant_obj))


@never_cache
@require_GET
def logout(request: HttpRequest, tenant: str) -> HttpResponse:
    """Ends the emulator's sign-in session for the tenant, then redirects as Cloud Foundry UAA does.

    UAA's `GET /logout.do?redirect=…&client_id=…`: the `redirect` is followed when the client
    named by `client_id` registered it (its redirect or post-logout URIs), or, without a client,
    when any app registered it as a post-logout URI (UAA's logout whitelist). `redirect_uri` is not
    a parameter of UAA's and is ignored. Otherwise the "signed out" page.
    """
    tenant_obj = _tenant_or_none(tenant)
    if tenant_obj is None:
        return unknown_tenant_page(request, tenant)
    request.session.pop(SESSION_USER_KEY.format(tenant=tenant_obj.name), None)
    target = request.GET.get("redirect") or ""
    client_id = request.GET.get("client_id")
    if client_id:
        apps = Application.objects.filter(client_id=client_id)
        allowed = any(app.allows_post_logout_redirect(target) or app.allows_redirect(target) for app in apps)
    else:
        allowed = any(app.allows_post_logout_redirect(target) for app in Application.objects.all())
    if target and allowed:
        return HttpResponseRedirect(target)
    return render(request, "emulator/signed_out.html", {"tenant": tenant_obj, "refused": bool(target)})
