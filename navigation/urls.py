from django.urls import path

from . import pwa, views, wellknown
from .registry import ROLE_HOMES

app_name = "navigation"

urlpatterns = [
    path("", views.home, name="home"),
    path("home/admin/", views.admin_home, name="admin_home"),
    path("home/user/", views.user_home, name="user_home"),
    path("account/", views.account, name="account"),
    # The homes added with `startrolehome`: one URL name each (`<slug>_home`), one generic view.
    *[
        path(home.path, views.role_home, {"slug": home.slug}, name=home.url_name.removeprefix("navigation:"))
        for home in ROLE_HOMES
        if home.slug
    ],
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    # Exact paths, no trailing slash: the phones fetch them as they are and follow no redirect.
    path(".well-known/assetlinks.json", wellknown.assetlinks, name="assetlinks"),
    path(".well-known/apple-app-site-association", wellknown.apple_app_site_association, name="apple_app_site_association"),
]
