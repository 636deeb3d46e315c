from django.contrib import admin
from django.urls import include, path

from sso.urls import provider_urlpatterns

urlpatterns = [
    path("", include("navigation.urls")),
    path("sso/", include("sso.urls")),
    path("assets/", include("assets.urls")),
    path("accounts/", include(provider_urlpatterns)),
    path("admin/", admin.site.urls),
]
