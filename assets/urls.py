from __future__ import annotations

from django.urls import path

from . import views, views_exports

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="list"),
    # Before "<asset_id>/", which would otherwise take "exports" for an asset id.
    path("exports/", views_exports.export_list, name="exports"),
    path("exports/<int:pk>/", views_exports.export_status, name="export"),
    path("exports/<int:pk>/download/", views_exports.export_download, name="export_download"),
    path("exports/<int:pk>/retry/", views_exports.retry_export, name="export_retry"),
    path("exports/<int:pk>/delete/", views_exports.delete_export, name="export_delete"),
    path("<str:asset_id>/export/", views_exports.start_export, name="export_start"),
    path("<str:asset_id>/", views.asset_detail, name="detail"),
]
