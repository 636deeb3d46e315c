"""The error pages for 400, 403, 404 and 500: one style (templates/errors/layout.html), with the menu
for signed-in people, a plain explanation and the next step.

They are the project's `handler400` … `handler500` (project/urls.py) and its CSRF failure view.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
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


def server_error(request: HttpRequest) -> HttpResponse:
    """500 without the request's context: no context processor and no database query can fail it."""
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:
        logger.exception("500.html could not be rendered")
        return HttpResponseServerError(FALLBACK_500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form whose CSRF check failed, mostly a page left open past its session: reload and resend."""
    context = {
        "heading": _("This form has expired"),
        "message": _("The form was open too long, or it came from another site. Reload the page and send it again."),
    }
    return _page(request, "403.html", 403, context)
