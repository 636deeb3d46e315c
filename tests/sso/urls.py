"""The app's URLs plus two small views that call MindSphere, to test the decorator on a function and a class."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.views import View

from project.urls import urlpatterns as app_urlpatterns
from sso.decorators import mindsphere_required


@mindsphere_required
def asset_total(request: HttpRequest) -> JsonResponse:
    body = request.mindsphere.assets_page(size=5)
    return JsonResponse({"tenant": request.mindsphere.tenant, "total": body["page"]["totalElements"]})


@method_decorator(mindsphere_required, name="dispatch")
class AssetNames(View):
    def get(self, request: HttpRequest) -> JsonResponse:
        assets, _total = request.mindsphere.first_assets(100)
        return JsonResponse({"names": [asset["name"] for asset in assets]})


urlpatterns = [
    path("test/asset-total/", asset_total),
    path("test/asset-names/", AssetNames.as_view()),
    *app_urlpatterns,
]
