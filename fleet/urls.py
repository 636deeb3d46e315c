from __future__ import annotations

from django.urls import path

from . import views

app_name = "fleet"

urlpatterns = [
    path("not-reporting/", views.not_reporting, name="not_reporting"),
    path("overview/", views.overview, name="overview"),
    path("refresh/", views.refresh, name="refresh"),
]
