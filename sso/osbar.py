"""MindSphere's OS Bar for pages served through the gateway (the Launchpad entrance, docs/launchpad.md).

Every Launchpad app loads the OS Bar (`MINDSPHERE_OSBAR_URL`), keeps its content in
`<div id="_mdspcontent">` and calls `_mdsp.init({title, appId, appInfoPath})` (sso/static/sso/osbar.js:
a file, as the platform's CSP allows no inline script). The bar shows the tenant and the person and
has *Sign out* and the way back to the Launchpad, so behind the gateway the app's own Sign out steps
aside. Its About panel reads the app-info JSON served here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mindsphere.hosts import fill

from .app_settings import app_settings
from .session import gateway_token


def osbar_url() -> str:
    """The OS Bar's script: MINDSPHERE_OSBAR_URL with `{region}` filled (a path: on the page's own origin)."""
    return fill(app_settings.MINDSPHERE_OSBAR_URL, "")


def osbar_origin() -> str:
    """The origin the CSP must allow for the OS Bar: `https://static.eu1.mindsphere.io`, or 'self' for a path."""
    parts = urlsplit(osbar_url())
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'self'"


def csp_additions(*, always: bool = False) -> dict[str, list[str]]:
    """What the CSP adds for the OS Bar (its script, stylesheet, images, fonts, calls), only with
    gateway sign-in on (`always`: whether or not, for the Launchpad registration's CSP)."""
    if not (always or app_settings.MINDSPHERE_GATEWAY_SIGN_IN):
        return {}
    origin = osbar_origin()
    if origin == "'self'":
        return {}
    return {name: [origin] for name in ("script-src", "style-src", "img-src", "font-src", "connect-src")}


def context(request: HttpRequest) -> dict:
    """For the layout: whether this page goes through MindSphere's gateway, and the OS Bar to load then."""
    if gateway_token(request) is None:
        return {"gateway_request": False}
    return {"gateway_request": True, "osbar_url": osbar_url()}


@require_GET
def app_info(request: HttpRequest) -> JsonResponse:
    """The OS Bar's About panel: the app's name, version, copyright and links (its `appInfoPath`)."""
    links = []
    if app_settings.MINDSPHERE_SUPPORT_URL:
        links.append({"type": "Www", "name": _("Support"), "value": app_settings.MINDSPHERE_SUPPORT_URL})
    response = JsonResponse(
        {
            "displayName": _("MindSphere Mobile Starter"),
            "appVersion": app_settings.MINDSPHERE_APP_VERSION,
            "appCopyright": app_settings.MINDSPHERE_APP_COPYRIGHT,
            "links": {"default": links},
        }
    )
    response["Cache-Control"] = "no-cache"
    return response
