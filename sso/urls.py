from __future__ import annotations

from django.urls import path

from . import osbar, views

app_name = "sso"

urlpatterns = [
    path("session/", views.session_check, name="session"),
    path("logout/", views.logout, name="logout"),
    path("app-info.json", osbar.app_info, name="app_info"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
]
