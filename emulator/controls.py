"""Test controls under /_emulator/: grant statistics, faults, users' app roles and assets (JSON)."""

from __future__ import annotations

import json
import os

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import app_roles, assets, faults, stats
from .gateway import asset_json


@csrf_exempt  # a machine-to-machine control API for tests; it carries no browser session
@never_cache
@require_http_methods(["GET", "DELETE"])
def stats_view(request: HttpRequest) -> HttpResponse:
    if request.method == "DELETE":
        stats.reset()
        return HttpResponse(status=204)
    response = JsonResponse(stats.snapshot())
    # Which process answered: a test that started an emulator can tell it from another one that
    # took the port first (tests/servers.py).
    response["X-Emulator-Pid"] = str(os.getpid())
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST", "DELETE"])
def faults_view(request: HttpRequest) -> HttpResponse:
    if request.method == "DELETE":
        faults.clear()
        return HttpResponse(status=204)
    if request.method == "GET":
        return JsonResponse({"faults": [faults.describe(fault) for fault in faults.active()]})
    try:
        spec = json.loads(request.body or b"{}")
        if not isinstance(spec, dict):
            raise faults.FaultSpecError("the body must be a JSON object")
        fault = faults.create(spec)
    except (ValueError, faults.FaultSpecError) as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(faults.describe(fault), status=201)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "PUT"])
def user_scopes_view(request: HttpRequest, tenant: str, email: str) -> HttpResponse:
    """A tenant user's app roles: GET reads them, PUT {"scopes": [...], "application"?} replaces them."""
    try:
        user = app_roles.find_user(tenant, email)
    except app_roles.NotFound as error:
        return JsonResponse({"error": str(error)}, status=404)
    try:
        if request.method == "GET":
            application = app_roles.find_application(request.GET.get("application"))
        else:
            try:
                spec = json.loads(request.body or b"null")
            except ValueError as error:
                raise app_roles.ScopeSpecError(f"the body is not JSON: {error}") from None
            application, names = app_roles.parse(spec)
            app_roles.set_scopes(user, application, names)
    except app_roles.ScopeSpecError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(app_roles.describe(user, application))


@csrf_exempt
@never_cache
@require_http_methods(["POST"])
def assets_view(request: HttpRequest) -> HttpResponse:
    """Add an asset, or replace the one with the same assetId: {"tenant", "assetId", "name", "aspects"?, …}."""
    try:
        try:
            spec = json.loads(request.body or b"null")
        except ValueError as error:
            raise assets.AssetSpecError(f"the body is not JSON: {error}") from None
        fields = assets.parse(spec)
    except assets.AssetSpecError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(asset_json(request, assets.put(fields)), status=201)
