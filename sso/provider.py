"""The `mindsphere` django-allauth provider: authorization code + PKCE S256 + state, per tenant."""
from __future__ import annotations

from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge
from django.http import HttpRequest, HttpResponse

from .signin import MindSphereOAuth2Adapter


class MindSphereAccount(ProviderAccount):
    def to_str(self) -> str:
        data = self.account.extra_data
        return f"{data.get('email', '?')} ({data.get('ten', '?')})"


class MindSphereProvider(OAuth2Provider):
    id = "mindsphere"
    name = "MindSphere"
    account_class = MindSphereAccount
    oauth2_adapter_class = MindSphereOAuth2Adapter
    pkce_enabled_default = True

    def get_pkce_params(self) -> dict:
        # PKCE is not optional here: a mobile app's client secret is public.
        return generate_code_challenge()

    def redirect_to_tenant(self, request: HttpRequest, tenant: str, next_url: str | None) -> HttpResponse:
        """Start sign-in at `tenant` (already validated); the tenant travels in the stashed state."""
        request.mindsphere_tenant = tenant
        return self.redirect(request, process="login", next_url=next_url, tenant=tenant, scope=[], auth_params={})

    def extract_uid(self, data: dict) -> str:
        # One Django user per (tenant, MindSphere user id): never connect accounts by email.
        return f"{data['ten']}:{data['user_id']}"

    def extract_common_fields(self, data: dict) -> dict:
        return {"email": data.get("email"), "username": f"mdsp-{data['ten']}-{data['user_id']}"[:150]}


provider_classes = [MindSphereProvider]
