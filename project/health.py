"""Health endpoints for the platform: `/healthz` (the process answers) and `/readyz` (its dependencies do).

Both are cheap enough to be probed every few seconds, need no sign-in and touch no session.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)
BROKER_TIMEOUT = 2  # seconds; a probe must answer well within the platform's own timeout


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: no database, no cache, no session."""
    return HttpResponse("ok", content_type="text/plain")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set("readyz", "ok", 10)
    if cache.get("readyz") != "ok":
        raise RuntimeError("the cache did not keep a value")


def _broker() -> None:
    from project.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database, the cache and the broker answer; 503 naming what failed."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # any failure means not ready; the name says which dependency
            logger.warning("readyz: %s failed: %s", name, type(error).__name__)
            results[name] = f"failed: {type(error).__name__}"
    ready = all(value == "ok" for value in results.values())
    return JsonResponse({"ready": ready, **results}, status=200 if ready else 503)
