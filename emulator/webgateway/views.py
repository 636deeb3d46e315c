"""The gateway's pages under /_gateway/ and the app it serves at every other path."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_safe

from emulator.gateway import error as gateway_error
from emulator.models import Application, Tenant, TenantUser

from . import pages, proxy, sessions, signin

ASSETS = Path(__file__).resolve().parent / "assets"
XSRF_MESSAGE = "A request that changes something needs the header x-xsrf-token, equal to the XSRF-TOKEN cookie."

SignedInView = Callable[..., HttpResponseBase]


# --- entrance: which tenant, sign-in, callback -------------------------------------------------------


@require_GET
def tenant_form(request: HttpRequest) -> HttpResponse:
    """`/_gateway/`: "Which tenant?" (a `{tenant}.localhost` host name answers it instead)."""
    next_url = _next(request, default=reverse("gateway-launchpad"))
    name = sessions.host_tenant(request) or request.GET.get("tenant", "").strip().lower()
    store, _tenant = sessions.active(request)
    if not name:
        signed_in_to = store["tenant"] if store is not None else None
        return pages.page(request, "tenant.html", {"next": next_url, "signed_in_to": signed_in_to})
    if not Tenant.objects.filter(name=name).exists():
        context = {"next": next_url, "tenant": name, "unknown": True}
        return pages.page(request, "tenant.html", context, status=404)
    if store is not None and store["tenant"] == name:
        return HttpResponseRedirect(next_url)
    return HttpResponseRedirect(_sign_in_url(name, next_url))


@require_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    """`/_gateway/signin?tenant=&next=`: off to the tenant's sign-in page (authorization code with PKCE)."""
    next_url = _next(request, default=reverse("gateway-launchpad"))
    tenant = sessions.host_tenant(request) or request.GET.get("tenant", "").strip().lower()
    if not tenant or not Tenant.objects.filter(name=tenant).exists():
        return HttpResponseRedirect(f"{reverse('gateway-tenant')}?{urlencode({'tenant': tenant, 'next': next_url})}")
    redirect_uri = request.build_absolute_uri(reverse("gateway-callback"))
    authorization = signin.authorization(tenant, redirect_uri)
    item = {
        "tenant": tenant,
        "next": next_url,
        "redirect_uri": redirect_uri,
        "code_verifier": authorization.code_verifier,
    }
    store = sessions.remember_sign_in(request, authorization.state, item)
    response = HttpResponseRedirect(authorization.url)
    if request.COOKIES.get(sessions.SESSION_COOKIE) != store.session_key:
        sessions.set_pending_cookie(response, store)
    return pages.own(response)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """`/_gateway/callback`: the sign-in service is back with a code; a new gateway session begins."""
    store = sessions.load(request)
    pending = sessions.take_sign_in(store, request.GET.get("state", ""))
    if pending is None:
        return pages.problem(request, "This sign-in is unknown, too old or already used. Please sign in again.", 400)
    if "error" in request.GET:
        return pages.problem(request, f"The sign-in service answered: {request.GET['error']}.", 400)
    try:
        token = signin.exchange(
            pending["tenant"], pending["redirect_uri"], request.GET.get("code", ""), pending["code_verifier"]
        )
    except signin.CALL_ERRORS as error:
        return pages.problem(request, f"The sign-in service refused the sign-in ({error}).", 502)
    session = sessions.begin(pending["tenant"], token, signin.person(token))
    if store is not None:
        sessions.end(store)  # the pre-sign-in session, or a session of before: the key changes
    response = HttpResponseRedirect(pending["next"])
    sessions.set_cookies(response, session)
    return pages.own(response)


def _sign_in_url(tenant: str | None, next_url: str) -> str:
    if not tenant:
        return f"{reverse('gateway-tenant')}?{urlencode({'next': next_url})}"
    return f"{reverse('gateway-signin')}?{urlencode({'tenant': tenant, 'next': next_url})}"


def _next(request: HttpRequest, default: str) -> str:
    target = request.GET.get("next", "")
    local = target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    return target if local else default


def to_sign_in(request: HttpRequest, tenant: str | None) -> HttpResponse:
    """The answer to every request, XHR included, without a usable session: a redirect to sign-in (no 401)."""
    # A page the person was opening is where they come back to; for anything else, the app's start.
    navigation = request.method == "GET" and request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"
    return pages.own(HttpResponseRedirect(_sign_in_url(tenant, request.get_full_path() if navigation else "/")))


def signed_in(view: SignedInView) -> Callable[..., HttpResponseBase]:
    """The view gets the signed-in session; without one the request is redirected to sign-in."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        store, tenant = sessions.active(request)
        if store is None:
            return to_sign_in(request, tenant)
        return view(request, store, *args, **kwargs)

    return wrapper


# --- the app, at every path but /_gateway/ ---------------------------------------------------------------


@signed_in
def app(request: HttpRequest, store: SessionStore) -> HttpResponseBase:
    """Forwards the request to the app with the person's access token (fresh: refreshed when it expires soon)."""
    if not sessions.xsrf_ok(request, store):
        return pages.own(gateway_error(403, XSRF_MESSAGE, "mdsp.core.gateway.forbidden"))
    try:
        access_token = signin.access_token(store.session_key or "")
    except signin.SignInOver:
        sessions.close(store)
        return to_sign_in(request, store["tenant"])
    except signin.SignInUnavailable:
        return pages.problem(request, "The sign-in service does not answer; please try again.", 503, retry_after=5)
    return proxy.forward(request, access_token)


# --- Launchpad, sign-out ---------------------------------------------------------------------------------


@require_GET
@signed_in
def launchpad(request: HttpRequest, store: SessionStore) -> HttpResponse:
    """The tenant's apps this person has a role in, each with its icon; the one this gateway serves links to `/`."""
    tenant = get_object_or_404(Tenant, name=store["tenant"])  # deleted in the admin meanwhile
    user = TenantUser.objects.filter(tenant=tenant, user_id=store["user"]["user_id"]).first()
    apps = []
    if user is not None:
        for application in Application.objects.filter(scopes__in=user.app_scopes.all()).distinct().order_by("name"):
            served = application.name == settings.EMULATOR_APP_NAME
            apps.append({"name": application.name, "served": served, "icon": settings.EMULATOR_GATEWAY_APP_ICON})
    return pages.page(request, "launchpad.html", {"tenant": tenant, "user": store["user"], "apps": apps})


@require_GET
def sign_out(request: HttpRequest) -> HttpResponse:
    """Ends the gateway session, then the sign-in service's (`logout.do`), which sends the browser back here."""
    store = sessions.load(request)
    tenant = sessions.host_tenant(request) or (store.get("tenant") if store is not None else None)
    if store is not None:
        sessions.end(store)
    signed_out_url = request.build_absolute_uri(reverse("gateway-signed-out"))
    target = signed_out_url
    if tenant:
        query = urlencode({"redirect": signed_out_url, "client_id": settings.EMULATOR_GATEWAY_CLIENT_ID})
        target = f"{signin.tenant_url(tenant)}/logout.do?{query}"
    response = HttpResponseRedirect(target)
    sessions.clear_cookies(response)
    return pages.own(response)


@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    return pages.page(request, "signed_out.html", {"tenant": sessions.host_tenant(request)})


# --- OS Bar stand-in -------------------------------------------------------------------------------------


@require_GET
@signed_in
def osbar_session(request: HttpRequest, store: SessionStore) -> HttpResponse:
    """What the OS Bar shows: tenant and person, and where its links go."""
    tenant = Tenant.objects.filter(name=store["tenant"]).first()
    body = {
        "tenant": store["tenant"],
        "tenantDisplayName": (tenant.display_name if tenant else "") or store["tenant"],
        "user": store["user"],
        "launchpadUrl": reverse("gateway-launchpad"),
        "signOutUrl": reverse("gateway-signout"),
    }
    return pages.own(JsonResponse(body))


def asset(name: str, content_type: str) -> Callable[[HttpRequest], HttpResponse]:
    """A view serving one file of emulator/webgateway/assets (read at each request: edits show at once)."""

    @require_safe
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse((ASSETS / name).read_bytes(), content_type=content_type)
        response["Cache-Control"] = "no-cache"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    return view


@require_GET
def status(request: HttpRequest) -> HttpResponse:
    """For tests/servers.py: which process answers (as /_emulator/stats does for the emulator)."""
    response = JsonResponse({"gateway": "ok", "app": settings.EMULATOR_GATEWAY_APP_URL})
    response["X-Emulator-Pid"] = str(os.getpid())
    return pages.own(response)
