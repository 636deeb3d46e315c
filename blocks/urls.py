from __future__ import annotations

from django.urls import path

from . import views

app_name = "blocks"

urlpatterns = [
    path("", views.gallery_page, name="gallery"),
    path("<str:name>/", views.region, name="region"),
]
