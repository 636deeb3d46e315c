"""Request types for annotations: what the middleware and decorators add to Django's HttpRequest.

django-htmx's middleware (project.htmx) sets `request.htmx` on every request; `role_required` and
`mindsphere_required` let only signed-in people through; `mindsphere_required` adds
`request.mindsphere`. Views annotate the request they receive with these, so mypy checks them.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from mindsphere.api import MindSphereClient


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


class SignedInRequest(HtmxRequest):
    user: User  # a signed-in person: never AnonymousUser


class MindSphereRequest(SignedInRequest):
    mindsphere: MindSphereClient


def htmx_of(request: HttpRequest) -> HtmxDetails:
    """`request.htmx` of a request typed as Django's (project.htmx's middleware sets it on every request)."""
    return request.htmx  # type: ignore[attr-defined]
