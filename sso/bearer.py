"""The Launchpad entrance: sign people in from the bearer token MindSphere's gateway sends.

Behind MindSphere's gateway every request carries `Authorization: Bearer <the person's access
token>`; the gateway keeps its own session and refreshes that token itself (design.md section 10).
With MINDSPHERE_GATEWAY_SIGN_IN on, `GatewayBearerMiddleware` (in the style of Django's
`PersistentRemoteUserMiddleware`) verifies the token (sso.verification.verify_gateway_token) and
signs its person in through `GatewayBackend`, with an ordinary Django session, so CSRF, messages
and the language work as on the phone entrance. That session keeps only who it is for and a hash
of the token (`GATEWAY_SESSION_KEY`): no token record, no refresh token, no refresh. It ends when
one of its requests comes without a token, and a token of another person starts a new one.

Which entrance a request uses is decided by the request: with a bearer token, the gateway's; without,
the phone entrance's own sign-in, unchanged.
"""

from __future__ import annotations

import hashlib
import logging
import time

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from mindsphere.api import MindSphereClient
from mindsphere.exceptions import ProviderUnavailableError
from mindsphere.gateway import FixedToken

from . import roles, session, texts
from .app_settings import app_settings
from .exceptions import ForeignTokenError, TokenVerificationError
from .models import MindSphereIdentity
from .responses import unavailable_response, wants_json
from .verification import verify_gateway_token

logger = logging.getLogger(__name__)

BACKEND = "sso.bearer.GatewayBackend"
# {"tenant", "user_id", "token": sha256 of the token, "exp", "scope"}: the session came from the gateway.
GATEWAY_SESSION_KEY = "_mindsphere_gateway"
CACHE_PREFIX = "mindsphere-bearer:"


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verified_claims(token: str) -> dict:
    """The verified claims of a gateway token for this app, from a cache per token until it expires.

    TokenVerificationError when it is not valid; ForeignTokenError when it is another app's.

    The gateway sends the same token with every request for up to 30 minutes, so its signature is
    checked once per process (or once for all, with Redis) rather than on every request. The key is
    the token's hash: the cache never holds a token. Refusals are not cached.
    """
    key = CACHE_PREFIX + token_hash(token)
    claims = cache.get(key)
    if claims is None:
        claims = verify_gateway_token(token)
        # "For this app": the gateway's token names the gateway's client, so its scopes say whose it is.
        if not roles.app_scope_names(claims["scope"]):
            raise ForeignTokenError("token carries none of this app's scopes")
        seconds = int(claims["exp"] - time.time())
        if seconds > 0:
            cache.set(key, claims, seconds)
    return claims


class GatewayBackend(ModelBackend):
    """Authenticates the person of a verified gateway token (`auth.authenticate(request, gateway_claims=…)`)."""

    def authenticate(self, request: HttpRequest | None, gateway_claims: dict | None = None, **kwargs):  # type: ignore[override]
        if gateway_claims is None:
            return None
        user = person_of(gateway_claims)
        return user if self.user_can_authenticate(user) else None

    def get_user(self, user_id):
        # A session this backend began is only good while gateway sign-in is on (turned off, it is over).
        return super().get_user(user_id) if app_settings.MINDSPHERE_GATEWAY_SIGN_IN else None


def person_of(claims: dict):
    """The Django user of the token's person (tenant + user id), created or updated, roles from its scopes.

    The same person as the phone entrance's: found through their MindSphere identity, and a new one
    gets the social account allauth's sign-in looks them up by (`{ten}:{user_id}`).
    """
    tenant, user_id, subtenant = claims["ten"], claims["user_id"], claims.get("subtenant") or ""
    identity = (
        MindSphereIdentity.objects.select_related("user").filter(tenant=tenant, mindsphere_user_id=user_id).first()
    )
    if identity is None:
        try:
            identity = _new_person(claims)
        except IntegrityError:  # the same person's first two requests at once: the other one made them
            identity = MindSphereIdentity.objects.select_related("user").get(tenant=tenant, mindsphere_user_id=user_id)
    fields = {"email": claims["email"], "subtenant": subtenant, "scopes": claims["scope"]}
    if any(getattr(identity, name) != value for name, value in fields.items()):
        MindSphereIdentity.objects.filter(pk=identity.pk).update(**fields, last_seen=timezone.now())
        for name, value in fields.items():
            setattr(identity, name, value)
    roles.sync_roles(identity.user, claims["scope"], tenant, subtenant)
    return identity.user


@transaction.atomic
def _new_person(claims: dict) -> MindSphereIdentity:
    tenant, user_id = claims["ten"], claims["user_id"]
    user = get_user_model().objects.create_user(username=f"mdsp-{tenant}-{user_id}"[:150], email=claims["email"])
    SocialAccount.objects.create(user=user, provider="mindsphere", uid=f"{tenant}:{user_id}", extra_data=claims)
    return MindSphereIdentity.objects.create(
        user=user,
        tenant=tenant,
        subtenant=claims.get("subtenant") or "",
        mindsphere_user_id=user_id,
        email=claims["email"],
        scopes=claims["scope"],
    )


def _saved(claims: dict, token: str) -> dict:
    return {
        "tenant": claims["ten"],
        "user_id": claims["user_id"],
        "token": token_hash(token),
        "exp": claims["exp"],
        "scope": sorted(claims["scope"]),
    }


def refused_response(request: HttpRequest, error: TokenVerificationError) -> HttpResponse:
    """401 for a token that is not MindSphere's valid one for this tenant; 403 for another app's."""
    foreign = isinstance(error, ForeignTokenError)
    status = 403 if foreign else 401
    message = texts.GATEWAY_OTHER_APP if foreign else texts.GATEWAY_INVALID_TOKEN
    if wants_json(request) or request.headers.get("HX-Request"):
        code = "other_app" if foreign else "invalid_token"
        return JsonResponse({"error": code, "message": message}, status=status)
    return render(request, "sso/gateway_refused.html", {"message": message, "status": status}, status=status)


class GatewayBearerMiddleware:
    """Signs in the person of the gateway's bearer token (after AuthenticationMiddleware).

    Off unless MINDSPHERE_GATEWAY_SIGN_IN: without the gateway in front, anyone could send the
    header. A valid token of the session's person costs a session read and a cache read; a new
    person is signed in (a new session); a token that fails is refused with a page saying why.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if app_settings.MINDSPHERE_GATEWAY_SIGN_IN:
            refused = self.sign_in(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def sign_in(self, request: HttpRequest) -> HttpResponse | None:
        token = bearer_token(request)
        if token is None:
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                # A session the gateway's token began, reached without the gateway, is over. Asked
                # when the person is (a request that never reads its session stays without Vary: Cookie).
                user = request.user
                request.user = SimpleLazyObject(lambda: _unless_gateway_session(request, user))  # type: ignore[assignment]  # as AuthenticationMiddleware sets it
            return None
        saved = request.session.get(GATEWAY_SESSION_KEY)
        try:
            claims = verified_claims(token)
        except TokenVerificationError as error:
            logger.warning("Refused a gateway bearer token: %s", error)
            if saved is not None:
                auth.logout(request)
            return refused_response(request, error)
        except ProviderUnavailableError as error:
            return unavailable_response(request, error.retry_after)
        setattr(request, session.GATEWAY_TOKEN_ATTRIBUTE, token)
        if saved is not None and (saved["tenant"], saved["user_id"]) == (claims["ten"], claims["user_id"]):
            if saved["token"] != token_hash(token):
                self.renewed(request, saved, claims, token)
            return None
        return self.new_session(request, claims, token)

    @staticmethod
    def renewed(request: HttpRequest, saved: dict, claims: dict, token: str) -> None:
        """The gateway refreshed the token: its scopes say the person's roles now."""
        if saved["scope"] != sorted(claims["scope"]):
            person_of(claims)
        request.session[GATEWAY_SESSION_KEY] = _saved(claims, token)

    @staticmethod
    def new_session(request: HttpRequest, claims: dict, token: str) -> HttpResponse | None:
        if SESSION_KEY in request.session:
            auth.logout(request)  # another person, or a session of the phone entrance: nothing of it goes on
        user = auth.authenticate(request, gateway_claims=claims)
        if user is None:
            return refused_response(request, TokenVerificationError("inactive user"))
        auth.login(request, user, backend=BACKEND)
        request.session[GATEWAY_SESSION_KEY] = _saved(claims, token)
        request.session[session.SESSION_TENANT_KEY] = claims["ten"]
        request.session[session.SESSION_IDENTITY_KEY] = {
            "email": claims["email"],
            "tenant": claims["ten"],
            "subtenant": claims.get("subtenant") or "",
        }
        logger.info("Gateway sign-in of user %s (tenant %s)", user.pk, claims["ten"])
        return None


def _unless_gateway_session(request: HttpRequest, user):
    """`user`, or nobody when this session came from a gateway token and this request has none (it ends)."""
    if GATEWAY_SESSION_KEY in request.session:
        request.session.flush()
        return AnonymousUser()
    return user


def is_gateway_request(request: HttpRequest) -> bool:
    """Whether this request came through MindSphere's gateway with a valid token of its person."""
    return session.gateway_token(request) is not None


def gateway_client(request: HttpRequest) -> MindSphereClient | None:
    """A client of MindSphere's APIs with this gateway request's own token (never refreshed); None if not one."""
    token = session.gateway_token(request)
    if token is None:
        return None
    return MindSphereClient(FixedToken(token), request.session[GATEWAY_SESSION_KEY]["tenant"])
