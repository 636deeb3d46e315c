from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from . import health

urlpatterns = [
    # First, because every open page calls /sso/session/ once a minute: the hottest URL resolves first.
    path("sso/", include("sso.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("navigation.urls")),
    path("", include("webapp.urls")),
    path("assets/", include("assets.urls")),
    path("manage/", include("tenantadmin.urls")),
    path("fleet/", include("fleet.urls")),
    path("blocks/", include("blocks.urls")),
    # The mindsphere provider's login and callback, as allauth names them (mindsphere_login, _callback).
    path("accounts/", include("sso.providers.mindsphere.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the Account page's language choice
]

# One style of error page (project/errors.py, templates/errors/layout.html).
handler400 = "project.errors.bad_request"
handler403 = "project.errors.permission_denied"
handler404 = "project.errors.page_not_found"
handler500 = "project.errors.server_error"
