"""The Content-Security-Policy header, with the tenant sign-in host added to form-action.

The Login form posts to the app, which redirects to the tenant's authorize URL, and the sign-out
form redirects to the tenant's logout.do: browsers apply form-action to those redirects too.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

from sso.app_settings import app_settings


def sign_in_origin() -> str:
    """The origin of MINDSPHERE_AUTH_URL for any tenant: `https://*.piam.eu1.mindsphere.io`."""
    url = app_settings.MINDSPHERE_AUTH_URL.format(tenant="*", region=app_settings.MINDSPHERE_REGION)
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            parts.update = {**(parts.update or {}), "form-action": ["'self'", sign_in_origin()]}
        return parts
