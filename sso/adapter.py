"""django-allauth adapters: auto sign-up for MindSphere identities, errors back to the Login page."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthError, ProviderException
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, resolve_url
from requests import RequestException

from . import roles, texts
from .app_settings import app_settings
from .exceptions import SignInFailure

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Only MindSphere identities reach sign-up; there is no local sign-up form.
        return True

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context=None,
        *args,
        **kwargs,
    ) -> None:
        # A person without a role lands on the no-role page: a green "Successfully signed in" above
        # "No role assigned" reads as a contradiction, so that page speaks alone.
        user = (message_context or {}).get("user")
        signed_in = message_template == "account/messages/logged_in.txt"
        if signed_in and user is not None and not roles.has_role(user, roles.app_role_names()):
            return
        super().add_message(request, level, message_template, message_context, *args, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request: HttpRequest, provider=None, client_id=None) -> list[SocialApp]:
        # The one app is the MINDSPHERE_* settings, so they are read in one place (sso.app_settings).
        if provider not in (None, "mindsphere"):
            return []
        app = SocialApp(
            provider="mindsphere",
            name="MindSphere",
            client_id=app_settings.MINDSPHERE_CLIENT_ID,
            secret=app_settings.MINDSPHERE_CLIENT_SECRET,
        )
        return [app] if client_id in (None, app.client_id) else []

    def get_requests_session(self):
        session = super().get_requests_session()
        session.request = functools.partial(session.request, timeout=app_settings.MINDSPHERE_HTTP_TIMEOUT)
        return session

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin) -> bool:
        return True

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return True

    def populate_user(self, request: HttpRequest, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.username = data["username"]
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None) -> None:
        text = _error_text(error, exception, extra_context or {})
        # The exception's text can quote the provider's error body; log its type only.
        logger.warning(
            "MindSphere sign-in failed: error=%s exception=%s", error, type(exception).__name__ if exception else None
        )
        messages.error(request, text)
        raise ImmediateHttpResponse(redirect(resolve_url(settings.LOGIN_URL)))


def _error_text(error, exception, context: dict) -> StrOrPromise:
    if error == AuthError.CANCELLED:
        return texts.SIGNIN_CANCELLED
    if isinstance(exception, ProviderException):
        return texts.SIGNIN_UNAVAILABLE if str(exception) == SignInFailure.UNAVAILABLE else texts.SIGNIN_INVALID_TOKEN
    if isinstance(exception, RequestException):
        return texts.SIGNIN_UNAVAILABLE
    if isinstance(exception, OAuth2Error):
        return texts.SIGNIN_REFUSED
    if "state" not in context or context.get("state") is None:
        return texts.SIGNIN_STATE
    return texts.SIGNIN_REFUSED


def user_display(user) -> str:
    """How allauth names a person (e.g. "Signed in as …"): their email and tenant, not the internal username."""
    identity = getattr(user, "mindsphere", None)
    if identity is not None:
        return f"{identity.email} ({identity.tenant})"
    return user.get_username()
