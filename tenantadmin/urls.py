from __future__ import annotations

from django.urls import path

from . import views

app_name = "tenantadmin"

urlpatterns = [
    path("roles/", views.roles_page, name="roles"),
    path("roles/reset/", views.reset, name="reset"),
]
