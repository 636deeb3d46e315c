"""Test controls under /_emulator/: grant statistics and token-endpoint faults (JSON)."""
from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import faults, stats


@csrf_exempt  # a machine-to-machine control API for tests; it carries no browser session
@never_cache
@require_http_methods(["GET", "DELETE"])
def stats_view(request: HttpRequest) -> HttpResponse:
    if request.method == "DELETE":
        stats.reset()
        return HttpResponse(status=204)
    return JsonResponse(stats.snapshot())


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
