from django.urls import path

from . import exports, views

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="list"),
    # Before "<asset_id>/", which would otherwise take "exports" for an asset id.
    path("exports/", exports.export_list, name="exports"),
    path("exports/<int:pk>/", exports.export_status, name="export"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("<str:asset_id>/export/", exports.start_export, name="export_start"),
    path("<str:asset_id>/", views.asset_detail, name="detail"),
]
