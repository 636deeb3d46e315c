from __future__ import annotations

from django.contrib import admin
from django.urls import path, re_path

from . import controls, gateway, technical, views

TENANT = r"(?P<tenant>[^/]+)"

urlpatterns = [
    path("_emulator/admin/", admin.site.urls),
    path("_emulator/stats", controls.stats_view, name="stats"),
    path("_emulator/faults", controls.faults_view, name="faults"),
    path("_emulator/users/<str:tenant>/<str:email>/scopes", controls.user_scopes_view, name="user_scopes"),
    path("_emulator/assets", controls.assets_view, name="assets_control"),
    path("gateway/api/technicaltokenmanager/v3/oauth/token", technical.token, name="technical_token"),
    path("gateway/api/assetmanagement/v3/assets", gateway.assets, name="assets"),
    path("gateway/api/assetmanagement/v3/assets/<str:asset_id>", gateway.asset_detail, name="asset"),
    path("gateway/api/assetmanagement/v3/assets/<str:asset_id>/aspects", gateway.asset_aspects, name="asset_aspects"),
    path(
        # A property set's name may hold anything but the entity id can't ("/" arrives decoded).
        "gateway/api/iottimeseries/v3/timeseries/<str:entity_id>/<path:property_set>",
        gateway.time_series,
        name="timeseries",
    ),
    path("gateway/api/iottsaggregates/v4/aggregates", gateway.time_series_aggregates, name="aggregates"),
    re_path(rf"^{TENANT}/oauth/authorize$", views.authorize, name="authorize"),
    re_path(rf"^{TENANT}/oauth/token$", views.token, name="token"),
    re_path(rf"^{TENANT}/token_keys$", views.token_keys, name="token_keys"),
    re_path(rf"^{TENANT}/logout\.do$", views.logout, name="logout"),
]

admin.site.site_header = "MindSphere emulator"
admin.site.site_title = "MindSphere emulator"
admin.site.index_title = "Tenants, users, app roles and assets"
