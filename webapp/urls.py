from __future__ import annotations

from django.urls import path

from . import pwa, wellknown

app_name = "webapp"

urlpatterns = [
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    # Exact paths, no trailing slash: the phones fetch them as they are and follow no redirect.
    path(".well-known/assetlinks.json", wellknown.assetlinks, name="assetlinks"),
    path(
        ".well-known/apple-app-site-association",
        wellknown.apple_app_site_association,
        name="apple_app_site_association",
    ),
]
