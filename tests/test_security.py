"""The Content-Security-Policy middleware: one header built once per process, own headers where asked."""

from __future__ import annotations

import os

import pytest
from csp.constants import NONCE
from csp.decorators import csp_exempt, csp_update
from django.http import HttpResponse
from django.test import RequestFactory

from project.security import ContentSecurityPolicyMiddleware

HEADER = "Content-Security-Policy"
# The emulator's sign-in host, where the Login form posts to: the development default follows EMULATOR_PORT.
SIGN_IN_HOST = f"form-action 'self' http://127.0.0.1:{os.environ.get('EMULATOR_PORT') or 8001}"


def plain(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(f"<style nonce='{request.csp_nonce}'></style>")


@csp_update({"img-src": ["https://tiles.example"]})
def updated(request):
    return HttpResponse("map")


@csp_exempt()
def exempt(request):
    return HttpResponse("no policy")


def serve(view, path: str = "/page/"):
    return ContentSecurityPolicyMiddleware(view)(RequestFactory().get(path))


def test_plain_pages_share_one_header_with_the_sign_in_host():
    first, second = serve(plain), serve(plain, "/other/")
    assert first[HEADER] == second[HEADER]
    assert SIGN_IN_HOST in first[HEADER] and "style-src 'self'" in first[HEADER]
    assert "nonce-" not in first[HEADER] and "unsafe-inline" not in first[HEADER]


def test_a_nonce_used_by_the_page_is_in_its_header_only(settings):
    # The app's own policy has no nonce (no inline style or script); one a deployment adds works.
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "style-src": ["'self'", NONCE]}}
    response = serve(with_nonce)
    nonce = response.content.decode().split("'")[1]
    assert f"'nonce-{nonce}'" in response[HEADER]
    assert "nonce-" not in serve(plain)[HEADER]


def test_a_view_with_its_own_policy_gets_its_own_header():
    response = serve(updated)
    assert "img-src 'self' data: https://tiles.example" in response[HEADER]
    assert SIGN_IN_HOST in response[HEADER]
    assert "tiles.example" not in serve(plain)[HEADER]


def test_an_exempt_view_gets_no_header():
    assert HEADER not in serve(exempt)
    assert HEADER in serve(plain)


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    from csp.exceptions import CSPNonceError

    request = RequestFactory().get("/page/")
    ContentSecurityPolicyMiddleware(plain)(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_changed_setting_changes_the_header(settings):
    serve(plain)
    settings.MINDSPHERE_AUTH_URL = "https://{tenant}.piam.{region}.mindsphere.io"
    assert "form-action 'self' https://*.piam.eu1.mindsphere.io" in serve(plain)[HEADER]
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert serve(plain)["Content-Security-Policy-Report-Only"] == "default-src 'none'"


def test_excluded_paths_get_no_header_and_others_still_do(settings):
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/legacy/"]}
    assert HEADER not in serve(plain, "/legacy/page/")
    assert SIGN_IN_HOST in serve(plain, "/page/")[HEADER]
