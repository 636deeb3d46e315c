"""The provider's views as allauth expects them: the OAuth2 adapter, the login view, the callback.

The login view takes the tenant form of the Login page. The tenant then travels only in the state
allauth stashes in the session: the callback URL is the same for every tenant, and its query
string is not to be trusted. allauth's OAuth2 client does the code exchange with the PKCE
verifier it stashed; the adapter verifies the access token strictly against that tenant.
"""

from __future__ import annotations

import logging

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter, OAuth2CallbackView
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mindsphere.exceptions import ProviderUnavailableError
from sso import tenants, texts
from sso.app_settings import app_settings
from sso.exceptions import SignInFailure, TokenVerificationError
from sso.responses import safe_next
from sso.session import LAST_TENANT_COOKIE
from sso.tenant_check import TenantStatus, check_tenant
from sso.verification import verify_access_token
from sso.views import login_page

from .oauth_client import MindSphereOAuth2Client

logger = logging.getLogger(__name__)

LAST_TENANT_MAX_AGE = 365 * 24 * 3600


class MindSphereOAuth2Adapter(OAuth2Adapter):
    provider_id = "mindsphere"
    client_class = MindSphereOAuth2Client  # client authentication as RFC 6749 says; outages told apart
    basic_auth = True
    tenant: str | None = None  # from the Login page on the way out, from the stashed state on the way back
    state: dict | None = None  # the stashed state, on the way back

    def _tenant(self) -> str:
        if not self.tenant:
            raise ProviderException("No tenant was chosen for this sign-in.")
        return self.tenant

    @property
    def authorize_url(self) -> str:
        return tenants.authorize_url(self._tenant())

    @property
    def access_token_url(self) -> str:
        return tenants.token_url(self._tenant())

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        tenant = self._tenant()
        try:
            claims = verify_access_token(token.token, tenant)
        except TokenVerificationError as error:
            logger.warning("Sign-in for tenant %s refused: access token invalid (%s)", tenant, error)
            raise ProviderException(SignInFailure.INVALID_TOKEN) from None
        except ProviderUnavailableError as error:
            logger.warning("Sign-in for tenant %s failed: %s", tenant, error)
            raise ProviderException(SignInFailure.UNAVAILABLE) from None
        if self.state is not None:
            # The callback hands this same state to the SocialLogin (sociallogin.state), where
            # sso.receivers reads it; allauth never stores it.
            self.state["refresh_token_expires_in"] = (kwargs.get("response") or {}).get("refresh_token_expires_in")
        return self.get_provider().sociallogin_from_response(request, claims)


@never_cache
@require_http_methods(["GET", "POST"])
def oauth2_login(request: HttpRequest) -> HttpResponse:
    """The Login page's form posts the tenant here; a GET goes to the Login page itself."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET":
        return redirect(f"{settings.LOGIN_URL}?next={next_url}" if next_url else settings.LOGIN_URL)
    raw = request.POST.get("tenant", "")
    try:
        tenant = tenants.clean_tenant(raw)
    except tenants.InvalidTenantError as error:
        return login_page(request, error=str(error), tenant=raw[:100], next_url=next_url, status=400)
    refusal = _tenant_refusal(request, tenant, raw, next_url)
    if refusal is not None:
        return refusal
    provider = get_adapter(request).get_provider(request, MindSphereOAuth2Adapter.provider_id)
    if not request.user.is_authenticated:
        # Only the sign-in state lives in this session: if the sign-in is never finished, the
        # session expires soon and clearsessions removes it (sign-in sets the real expiry).
        request.session.set_expiry(app_settings.MINDSPHERE_SIGN_IN_TIMEOUT)
    response = provider.redirect(request, "login", next_url, tenant=tenant)
    response.set_cookie(
        LAST_TENANT_COOKIE,
        tenant,
        max_age=LAST_TENANT_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _tenant_refusal(request: HttpRequest, tenant: str, raw: str, next_url: str | None) -> HttpResponse | None:
    """The Login page again, with what was typed, when MindSphere does not know the tenant or can't be reached."""
    status = check_tenant(tenant)
    if status is TenantStatus.UNKNOWN:
        error = texts.UNKNOWN_TENANT.format(tenant=tenant)
        return login_page(request, error=error, tenant=raw[:100], next_url=next_url, status=400)
    if status is TenantStatus.UNREACHABLE:
        response = login_page(request, error=texts.SIGNIN_UNAVAILABLE, tenant=raw[:100], next_url=next_url, status=503)
        response["Retry-After"] = str(app_settings.MINDSPHERE_RETRY_AFTER)
        return response
    return None


class MindSphereCallbackView(OAuth2CallbackView):
    def _get_state(self, request: HttpRequest, provider):
        state, response = super()._get_state(request, provider)
        if state is not None:
            self.adapter.tenant = state.get("tenant")
            self.adapter.state = state
        return state, response


oauth2_callback = MindSphereCallbackView.adapter_view(MindSphereOAuth2Adapter)
