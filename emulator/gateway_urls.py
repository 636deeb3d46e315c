"""URLconf of the emulated gateway (emulator.gateway_settings): its pages under /_gateway/, the app everywhere else."""

from __future__ import annotations

from django.urls import path, re_path

from .webgateway import views

urlpatterns = [
    path("_gateway/", views.tenant_form, name="gateway-tenant"),
    path("_gateway/signin", views.sign_in, name="gateway-signin"),
    path("_gateway/callback", views.callback, name="gateway-callback"),
    path("_gateway/launchpad", views.launchpad, name="gateway-launchpad"),
    path("_gateway/signout", views.sign_out, name="gateway-signout"),
    path("_gateway/signed-out", views.signed_out, name="gateway-signed-out"),
    path("_gateway/status", views.status, name="gateway-status"),
    path("_gateway/gateway.css", views.asset("gateway.css", "text/css; charset=utf-8")),
    path("_gateway/launchpad.js", views.asset("launchpad.js", "text/javascript; charset=utf-8")),
    # The OS Bar at the path of MindSphere's (static.{region}.mindsphere.io/osbar/v4/js/main.min.js).
    path("_gateway/osbar/v4/js/main.min.js", views.asset("osbar.js", "text/javascript; charset=utf-8")),
    path("_gateway/osbar/v4/css/main.min.css", views.asset("osbar.css", "text/css; charset=utf-8")),
    path("_gateway/osbar/session", views.osbar_session, name="gateway-osbar-session"),
    # Everything else is the app's.
    re_path(r"^(?!_gateway(?:/|$))", views.app, name="gateway-app"),
]
