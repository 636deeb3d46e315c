"""The OAuth2 adapter and callback view of the `mindsphere` provider.

allauth's OAuth2 client does the code exchange (with the PKCE verifier it stashed); we build the
tenant's URLs, verify the access token strictly, and hand allauth the verified claims.
"""
from __future__ import annotations

import logging

from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter, OAuth2CallbackView
from django.http import HttpRequest

from . import tenants
from .exceptions import ProviderUnavailableError, TokenVerificationError
from .verification import verify_access_token

logger = logging.getLogger(__name__)


class MindSphereOAuth2Adapter(OAuth2Adapter):
    provider_id = "mindsphere"
    basic_auth = True

    def _tenant(self) -> str:
        tenant = getattr(self.request, "mindsphere_tenant", None)
        if not tenant:
            raise ProviderException("No tenant was chosen for this sign-in.")
        return tenant

    @property
    def authorize_url(self) -> str:  # type: ignore[override]
        return tenants.authorize_url(self._tenant())

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return tenants.token_url(self._tenant())

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        tenant = self._tenant()
        try:
            claims = verify_access_token(token.token, tenant)
        except TokenVerificationError as error:
            logger.warning("Sign-in for tenant %s refused: access token invalid (%s)", tenant, error)
            raise ProviderException("invalid_token") from None
        except ProviderUnavailableError as error:
            logger.warning("Sign-in for tenant %s failed: %s", tenant, error)
            raise ProviderException("unavailable") from None
        login = self.get_provider().sociallogin_from_response(request, claims)
        # Kept on the object for the user_logged_in receiver; never stored by allauth
        # (SOCIALACCOUNT_STORE_TOKENS is off) and never in extra_data.
        login.mindsphere_sign_in = {"tenant": tenant, "claims": claims, "token": kwargs.get("response") or {}}
        return login


class MindSphereCallbackView(OAuth2CallbackView):
    def _get_state(self, request: HttpRequest, provider):
        # The tenant chosen on the Login page comes back only inside the stashed state: the
        # callback URL is the same for every tenant, and the query string is not to be trusted.
        state, response = super()._get_state(request, provider)
        if state is not None:
            request.mindsphere_tenant = state.get("tenant")
        return state, response


oauth2_callback = MindSphereCallbackView.adapter_view(MindSphereOAuth2Adapter)
