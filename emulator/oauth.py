"""The emulator's OAuth 2.0 server: oauthlib's grant classes with a validator over our models.

oauthlib parses and checks the protocol (client authentication, PKCE, redirect URIs, grant
types); this module only answers its questions from the database and mints MindSphere-style
tokens. Refresh tokens are rotated with reuse detection, and their lifetime counts from sign-in.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from datetime import datetime, timedelta
from urllib.parse import unquote_plus

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth2 import AuthorizationEndpoint, RequestValidator, TokenEndpoint
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.grant_types import AuthorizationCodeGrant, RefreshTokenGrant
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256
from oauthlib.oauth2.rfc6749.tokens import BearerToken

from . import tokens
from .models import Application, AuthorizationCode, RefreshToken, SignIn, Tenant, token_hash

logger = logging.getLogger(__name__)


class S256CodeGrant(AuthorizationCodeGrant):
    """PKCE with S256 only: `plain` (and a missing method, which means plain) is refused."""

    _code_challenge_methods = {"S256": code_challenge_method_s256}

    def validate_token_request(self, request: OAuthRequest) -> None:
        try:
            super().validate_token_request(request)
        except errors.MismatchingRedirectURIError as error:
            # oauthlib answers invalid_request, but a redirect URI that differs from the authorization
            # request's makes the grant invalid (RFC 6749, section 5.2), and clients act on that code.
            raise errors.InvalidGrantError(description=error.description, request=request) from error


class Validator(RequestValidator):
    """Answers oauthlib's questions for one tenant (the one in the URL) and one Django request."""

    def __init__(self, tenant: Tenant, http_request: HttpRequest) -> None:
        self.tenant = tenant
        self.http_request = http_request

    # --- clients -------------------------------------------------------------------------
    def _application(self, client_id: str | None) -> Application | None:
        if not client_id:
            return None
        return Application.objects.filter(client_id=client_id).first()

    def validate_client_id(self, client_id, request, *args, **kwargs):
        application = self._application(client_id)
        request.client = application
        return application is not None

    def client_authentication_required(self, request, *args, **kwargs):
        return True

    def authenticate_client(self, request, *args, **kwargs):
        client_id, secret = _basic_credentials(request.headers.get("Authorization", ""))
        if client_id is None:
            client_id, secret = request.client_id, request.client_secret
        application = self._application(client_id)
        if application is None or not secret or not _same(secret, application.client_secret):
            return False
        request.client = application
        request.client_id = application.client_id
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        return False  # every client is confidential here, as in Developer Cockpit

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        application = self._application(client_id)
        return application is not None and application.allows_redirect(redirect_uri)

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        return None  # redirect_uri is required

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code"

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type in ("authorization_code", "refresh_token")

    # --- scopes: MindSphere puts the user's roles in the token, whatever was asked ----------
    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        return True

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return []

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        return []

    def is_within_original_scope(self, request_scopes, refresh_token, request, *args, **kwargs):
        return True

    # --- authorization codes -----------------------------------------------------------------
    def is_pkce_required(self, client_id, request):
        return True

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        AuthorizationCode.objects.create(
            code_hash=token_hash(code["code"]),
            tenant=self.tenant,
            application=request.client,
            user=request.user,
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            code_challenge_method=request.code_challenge_method,
            expires_at=timezone.now() + timedelta(seconds=settings.EMULATOR_CODE_SECONDS),
        )

    def _code(self, code: str, request) -> AuthorizationCode | None:
        cached = getattr(request, "_emulator_code", None)
        if cached is None and code:
            cached = (
                AuthorizationCode.objects.select_related("user", "application", "sign_in")
                .filter(code_hash=token_hash(code), tenant=self.tenant)
                .first()
            )
            request._emulator_code = cached
        return cached

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        record = self._code(code, request)
        if record is None or record.application.client_id != client_id:
            return False
        if record.used_at is not None:
            # A replayed code: revoke what it produced (RFC 6749, section 4.1.2).
            if record.sign_in is not None:
                record.sign_in.revoke("authorization code reused")
            logger.warning("Authorization code replayed for tenant %s", self.tenant.name)
            return False
        if record.expires_at <= timezone.now() or not record.user.is_active:
            return False
        request.user = record.user
        request.scopes = []
        return True

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        record = self._code(code, request)
        return record is not None and record.redirect_uri == redirect_uri

    def get_code_challenge(self, code, request):
        record = self._code(code, request)
        return record.code_challenge if record else None

    def get_code_challenge_method(self, code, request):
        record = self._code(code, request)
        return record.code_challenge_method if record else None

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        record = self._code(code, request)
        if record is None:  # oauthlib validated the code first: it exists
            return
        record.used_at = timezone.now()
        record.sign_in = getattr(request, "sign_in", None)
        record.save(update_fields=["used_at", "sign_in"])

    # --- refresh tokens -------------------------------------------------------------------------
    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        record = (
            RefreshToken.objects.select_related("sign_in__user", "sign_in__application", "sign_in__tenant")
            .filter(token_hash=token_hash(refresh_token))
            .first()
        )
        if record is None:
            return False
        sign_in = record.sign_in
        if sign_in.tenant_id != self.tenant.pk or sign_in.application_id != client.pk:
            return False
        if record.rotated_at is not None:
            # Reuse of a rotated-out token: someone holds a stolen copy, end the whole sign-in.
            sign_in.revoke("rotated refresh token reused")
            logger.warning("Rotated refresh token reused; sign-in %s revoked", sign_in.pk)
            return False
        if sign_in.revoked_at is not None or sign_in.refresh_expires_at <= timezone.now():
            return False
        if not sign_in.user.is_active:
            return False
        request.user = sign_in.user
        request.sign_in = sign_in
        request.refresh_record = record
        return True

    def rotate_refresh_token(self, request):
        return settings.EMULATOR_ROTATE_REFRESH_TOKENS

    # --- tokens -----------------------------------------------------------------------------------
    def save_bearer_token(self, token, request, *args, **kwargs):
        now = timezone.now()
        sign_in = getattr(request, "sign_in", None)
        if sign_in is None:
            sign_in = SignIn.objects.create(
                tenant=self.tenant,
                application=request.client,
                user=request.user,
                created=now,
                refresh_expires_at=refresh_expiry(request),
            )
            request.sign_in = sign_in
        self._store_refresh_token(token.get("refresh_token"), request, sign_in, now)
        # Every token response carries these, rotated or not: the app reads them each time.
        token["scope"] = " ".join(request.user.scope_claim())
        if settings.EMULATOR_SEND_REFRESH_EXPIRES_IN:
            # MindSphere reports how long the refresh token has left, counted from sign-in.
            token["refresh_token_expires_in"] = max(0, round((sign_in.refresh_expires_at - now).total_seconds()))

    def _store_refresh_token(self, new_value: str | None, request, sign_in: SignIn, now: datetime) -> None:
        old = getattr(request, "refresh_record", None)
        if old is not None and new_value == request.refresh_token:
            return  # rotation is off: the same refresh token stays in use
        if old is not None:
            old.rotated_at = now
            old.save(update_fields=["rotated_at"])
        if new_value:
            RefreshToken.objects.create(token_hash=token_hash(new_value), sign_in=sign_in, created=now)


def refresh_expiry(request) -> datetime:
    """When the refresh tokens of this grant's sign-in end: counted from sign-in, never extended.

    A code exchange fixes it once, for the refresh token minted first and the sign-in stored after.
    """
    sign_in = getattr(request, "sign_in", None)
    if sign_in is not None:
        return sign_in.refresh_expires_at
    if getattr(request, "refresh_expires_at", None) is None:
        request.refresh_expires_at = timezone.now() + timedelta(seconds=settings.EMULATOR_REFRESH_TOKEN_SECONDS)
    return request.refresh_expires_at


def _basic_credentials(header: str) -> tuple[str | None, str | None]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None, None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None, None
    # RFC 6749, section 2.3.1: both parts are form-urlencoded before Basic ("+" is a space).
    return unquote_plus(client_id), unquote_plus(secret)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Server(AuthorizationEndpoint, TokenEndpoint):
    """Authorization code (PKCE S256) and refresh grants with MindSphere-style JWT access tokens."""

    def __init__(self, tenant: Tenant, http_request: HttpRequest) -> None:
        validator = Validator(tenant, http_request)
        code_grant = S256CodeGrant(validator)
        refresh_grant = RefreshTokenGrant(validator)
        bearer = BearerToken(
            validator,
            token_generator=lambda request: self._access_token(request),
            expires_in=settings.EMULATOR_ACCESS_TOKEN_SECONDS,
            refresh_token_generator=lambda request: self._refresh_token(request),
        )
        AuthorizationEndpoint.__init__(
            self, default_response_type="code", response_types={"code": code_grant}, default_token_type=bearer
        )
        TokenEndpoint.__init__(
            self,
            default_grant_type="authorization_code",
            grant_types={"authorization_code": code_grant, "refresh_token": refresh_grant},
            default_token_type=bearer,
        )
        self.tenant = tenant
        self.http_request = http_request

    def _refresh_token(self, request: OAuthRequest) -> str:
        return tokens.refresh_token(
            request=self.http_request,
            tenant=self.tenant,
            user=request.user,
            application=request.client,
            expires_at=refresh_expiry(request),
        )

    def _access_token(self, request: OAuthRequest) -> str:
        return tokens.access_token(
            request=self.http_request,
            tenant=self.tenant,
            user=request.user,
            application=request.client,
            lifetime=settings.EMULATOR_ACCESS_TOKEN_SECONDS,
            grant_type=request.grant_type,
        )


def oauthlib_args(request: HttpRequest) -> tuple[str, str, str, dict[str, str]]:
    """The (uri, method, body, headers) oauthlib wants, from a Django request."""
    headers = {key: value for key, value in request.headers.items()}
    # oauthlib reads form parameters from the body; Django may already have consumed it.
    body = request.body.decode() if request.method == "POST" else ""
    if request.method == "POST" and not body and request.POST:
        body = request.POST.urlencode()
    return request.build_absolute_uri(), request.method or "GET", body, headers
