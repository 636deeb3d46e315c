"""The `mindsphere` provider: authorization code + PKCE S256 + state, at the tenant the person chose."""

from __future__ import annotations

from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge
from django.http import HttpRequest, HttpResponse

from sso.app_settings import app_settings

from .views import MindSphereOAuth2Adapter


class MindSphereAccount(ProviderAccount):
    def to_str(self) -> str:
        data = self.account.extra_data
        return f"{data.get('email', '?')} ({data.get('ten', '?')})"


class MindSphereProvider(OAuth2Provider):
    id = "mindsphere"
    name = "MindSphere"
    account_class = MindSphereAccount
    oauth2_adapter_class = MindSphereOAuth2Adapter
    tenant: str | None = None  # set by redirect(), for the adapter that builds the authorize URL

    def get_scope(self) -> list[str]:
        """MINDSPHERE_SCOPES, separated by spaces (a list in Python settings works too)."""
        scopes = app_settings.MINDSPHERE_SCOPES
        return scopes.split() if isinstance(scopes, str) else [str(scope) for scope in scopes]

    def get_pkce_params(self) -> dict:
        # PKCE is not optional here: a mobile app's client secret is public.
        return generate_code_challenge()

    def redirect(
        self, request: HttpRequest, process, next_url=None, data=None, *, tenant: str, **kwargs
    ) -> HttpResponse:
        """Start sign-in at `tenant` (already validated); allauth stashes it in the state it keeps."""
        self.tenant = tenant
        return super().redirect(
            request, process, next_url, data, tenant=tenant, scope=self.get_scope(), auth_params={}, **kwargs
        )

    def get_oauth2_adapter(self, request: HttpRequest) -> MindSphereOAuth2Adapter:
        adapter = super().get_oauth2_adapter(request)
        adapter.tenant = self.tenant
        return adapter

    def extract_uid(self, data: dict) -> str:
        # One Django user per (tenant, MindSphere user id): never connect accounts by email.
        return f"{data['ten']}:{data['user_id']}"

    def extract_common_fields(self, data: dict) -> dict:
        return {"email": data.get("email"), "username": f"mdsp-{data['ten']}-{data['user_id']}"[:150]}


provider_classes = [MindSphereProvider]
