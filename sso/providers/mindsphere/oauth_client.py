"""The provider's OAuth2 client: allauth's, with the code exchange done as RFC 6749 asks.

Two differences from allauth's own: the client id and secret are form-urlencoded before HTTP
Basic (section 2.3.1), and an answer that means "MindSphere is not reachable" (timeout, connection
error, 5xx, 429, a body that is not a token response) is told apart from a refusal, so the person
reads "try again in a moment" rather than "did not accept this sign-in".
"""

from __future__ import annotations

import logging

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from django.utils.http import urlencode

from sso.client_auth import client_basic_auth
from sso.exceptions import SignInFailure

logger = logging.getLogger(__name__)


class MindSphereOAuth2Client(OAuth2Client):
    def get_redirect_url(self, authorization_url: str, scope, extra_params: dict) -> str:
        # allauth joins a set, in no fixed order; keep the configured order and drop repeats.
        params = {"client_id": self.consumer_key, "redirect_uri": self.callback_url, "response_type": "code"}
        if scope:
            params["scope"] = " ".join(dict.fromkeys(scope))
        if self.state:
            params["state"] = self.state
        params.update(extra_params)
        return f"{authorization_url}?{urlencode(params)}"

    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None) -> dict:
        """The token response of the code exchange; OAuth2Error when refused, ProviderException when unreachable."""
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.callback_url}
        if pkce_code_verifier:
            data["code_verifier"] = pkce_code_verifier
        data.update(extra_data or {})
        auth = client_basic_auth(self.consumer_key, self.consumer_secret)
        headers = {"Accept": "application/json"}
        with get_adapter().get_requests_session() as session:
            try:
                response = session.post(self.access_token_url, data=data, auth=auth, headers=headers)
            except (requests.Timeout, requests.ConnectionError) as error:
                logger.warning("Code exchange failed: token endpoint unreachable (%s)", type(error).__name__)
                raise ProviderException(SignInFailure.UNAVAILABLE) from None
        return _token(response)


def _token(response: requests.Response) -> dict:
    if response.status_code >= 500 or response.status_code == 429:
        logger.warning("Code exchange failed: token endpoint answered %s", response.status_code)
        raise ProviderException(SignInFailure.UNAVAILABLE)
    try:
        body = response.json()
    except ValueError:
        logger.warning("Code exchange failed: token endpoint answered %s, not JSON", response.status_code)
        if response.ok:  # a proxy's page in front of MindSphere, not MindSphere's answer
            raise ProviderException(SignInFailure.UNAVAILABLE) from None
        raise OAuth2Error(f"token endpoint answered {response.status_code}, not JSON") from None
    if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
        error = body.get("error") if isinstance(body, dict) else None
        # The error code only: the body of a token response is never logged.
        raise OAuth2Error(f"token endpoint refused the code: {response.status_code} {error}")
    return body
