"""The app's URLs plus two small views that call MindSphere, to test the decorator and the mixin."""
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views import View

from project.urls import urlpatterns as app_urlpatterns
from sso.decorators import MindSphereRequiredMixin, mindsphere_required


@mindsphere_required
def asset_total(request: HttpRequest) -> JsonResponse:
    body = request.mindsphere.assets_page(size=5)
    return JsonResponse({"tenant": request.mindsphere.tenant, "total": body["page"]["totalElements"]})


class AssetNames(MindSphereRequiredMixin, View):
    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse({"names": [asset["name"] for asset in request.mindsphere.iter_assets(size=10)]})


urlpatterns = [
    path("test/asset-total/", asset_total),
    path("test/asset-names/", AssetNames.as_view()),
    *app_urlpatterns,
]
