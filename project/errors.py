"""The error pages for 400, 403, 404, 500 and 503: one style (templates/errors/layout.html), with the
menu for signed-in people, a plain explanation and the next step.

They are the project's `handler400` … `handler500` (project/urls.py) and its CSRF failure view. An
error of the database connection (PostgreSQL restarting, unreachable) reaches `server_error` like
any uncaught exception; it is the app's brief outage, not a bug, so it answers 503 with Retry-After
instead of 500, and signs nobody out. Django reconnects by itself at the next request
(CONN_HEALTH_CHECKS).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# The last resort when even 500.html cannot be rendered (e.g. its static file manifest is missing).
FALLBACK_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Server error</title></head>'
    "<body><main><h1>Something went wrong</h1><p>Please try again in a moment.</p></main></body></html>"
)


def _page(request: HttpRequest, template: str, status: int, context: dict | None = None) -> HttpResponse:
    try:
        return TemplateResponse(request, template, context or {}, status=status).render()
    except Exception:
        # A broken request (e.g. a bad Host header) or a context processor that fails (the database)
        # must not turn a 400/403/404 into a 500: the same page without the request's context.
        logger.exception("error page %s rendered without the request's context", status)
        return HttpResponse(loader.get_template(template).render(context or {}), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: the exception's text may come from the request, so it is not shown."""
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "404.html", 404)


# The errors of a database that is down or restarting (psycopg's and SQLite's reach Django as these).
DATABASE_DOWN = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER = 5  # seconds: PostgreSQL restarts in about that long
APP_UNAVAILABLE = "app_unavailable"  # the JSON `error` of the 503, which the lifecycle include tells apart


def server_error(request: HttpRequest) -> HttpResponse:
    """500 without the request's context: no context processor and no database query can fail it.

    Called while Django handles the uncaught exception, so sys.exc_info() is that exception.
    """
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return database_unavailable(request)
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:
        logger.exception("500.html could not be rendered")
        return HttpResponseServerError(FALLBACK_500)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 + Retry-After while the database is unreachable: the page (HTML), or JSON for htmx and JSON
    clients, whose `error` tells the lifecycle include it is the app, not MindSphere."""
    if request.headers.get("HX-Request") == "true" or "application/json" in request.headers.get("Accept", ""):
        message = _("The app is briefly unavailable. You are still signed in; it will retry by itself.")
        body = {"error": APP_UNAVAILABLE, "message": message, "retry_after": DATABASE_RETRY_AFTER}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        try:
            page = loader.get_template("503.html").render({"retry_path": _retry_path(request)})
        except Exception:
            logger.exception("503.html could not be rendered")
            page = FALLBACK_500
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def _retry_path(request: HttpRequest) -> str:
    """The page to try again: this one for a GET, else home (a POST's form is not sent again by a link)."""
    path = request.get_full_path() if request.method == "GET" else "/"
    return path if path.startswith("/") and not path.startswith("//") else "/"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form whose CSRF check failed, mostly a page left open past its session: reload and resend."""
    context = {
        "heading": _("This form has expired"),
        "message": _("The form was open too long, or it came from another site. Reload the page and send it again."),
    }
    return _page(request, "403.html", 403, context)
