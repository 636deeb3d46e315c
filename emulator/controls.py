"""Test controls under /_emulator/: grant statistics, faults and users' app roles (JSON)."""
from __future__ import annotations

import json
import os

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import faults, roles, stats


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
        user = roles.find_user(tenant, email)
    except roles.NotFound as error:
        return JsonResponse({"error": str(error)}, status=404)
    try:
        if request.method == "GET":
            application = roles.find_application(request.GET.get("application"))
        else:
            try:
                spec = json.loads(request.body or b"null")
            except ValueError as error:
                raise roles.ScopeSpecError(f"the body is not JSON: {error}") from None
            application, names = roles.parse(spec)
            roles.set_scopes(user, application, names)
    except roles.ScopeSpecError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(roles.describe(user, application))
