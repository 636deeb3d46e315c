"""The Content-Security-Policy header, with the tenant sign-in host added to form-action (and the OS Bar's origin with gateway sign-in on).

The Login form posts to the app, which redirects to the tenant's authorize URL, and the sign-out
form redirects to the tenant's logout.do: browsers apply form-action to those redirects too.

The header is the same for every response that brings no policy of its own (django-csp's
decorators) and used no nonce, so it is built once per process: django-csp builds it anew for
each response, about 50 µs of every request (docs/performance.md). A policy with
EXCLUDE_URL_PREFIXES depends on the path, so it is left to django-csp.
"""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from sso.app_settings import app_settings
from sso.osbar import csp_additions

# What csp.decorators leave on a response: such a response gets its own header.
OWN_POLICY = tuple(f"_csp_{kind}{ro}" for kind in ("exempt", "config", "update", "replace") for ro in ("", "_ro"))
POLICIES = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
# The headers every plain response gets, built at the first one; None: not built yet, or a setting
# changed (it stays None while the policies exclude paths: django-csp builds each header then).
_shared_headers: dict[str, str] | None = None


def sign_in_origin() -> str:
    """The origin of MINDSPHERE_AUTH_URL for any tenant: `https://*.piam.eu1.mindsphere.io`."""
    url = app_settings.MINDSPHERE_AUTH_URL.format(tenant="*", region=app_settings.MINDSPHERE_REGION)
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@receiver(setting_changed)
def _forget_shared_headers(**kwargs) -> None:
    global _shared_headers
    _shared_headers = None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            # With gateway sign-in on, MindSphere's OS Bar too (sso.osbar): its origin, nothing else.
            additions = {"form-action": ["'self'", sign_in_origin()], **csp_additions()}
            update = {
                name: list(values) if isinstance(values, (list, tuple, set)) else [values]
                for name, values in (parts.update or {}).items()
                if values is not None
            }
            for name, values in additions.items():  # added to a view's own update, never replacing it
                update[name] = [*update.get(name, []), *values]
            parts.update = update
        return parts

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        shared = self._shared_headers(request) if self._shares_the_policy(request, response) else None
        if shared is None:
            return super().process_response(request, response)
        for name, value in shared.items():
            response[name] = value
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response

    @staticmethod
    def _shares_the_policy(request: HttpRequest, response: HttpResponseBase) -> bool:
        if (
            isinstance(getattr(request, "_csp_nonce", None), str)
            or HEADER in response
            or HEADER_REPORT_ONLY in response
        ):
            return False
        if settings.DEBUG and response.status_code in (404, 500):  # django-csp leaves debug pages alone
            return False
        return not any(hasattr(response, name) for name in OWN_POLICY)

    def _shared_headers(self, request: HttpRequest) -> dict[str, str] | None:
        """The plain responses' headers; None when the policies exclude paths (django-csp decides)."""
        global _shared_headers
        if _shared_headers is None and any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") for name in POLICIES
        ):
            return None
        if _shared_headers is None:
            plain = HttpResponse()
            headers = {
                HEADER: build_policy(**asdict(self.get_policy_parts(request, plain))),
                HEADER_REPORT_ONLY: build_policy(
                    **asdict(self.get_policy_parts(request, plain, report_only=True)), report_only=True
                ),
            }
            _shared_headers = {name: value for name, value in headers.items() if value}
        return _shared_headers
