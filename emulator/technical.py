"""The Token Management Service: technical tokens, with which an app reads a tenant's data with no person signed in.

`POST {gateway}/api/technicaltokenmanager/v3/oauth/token` with the app's credentials in
`X-SPACE-AUTH-KEY: Basic base64(client_id:client_secret)` and `{"appName", "appVersion",
"hostTenant", "userTenant"}`. A token is issued only for the app version the credentials belong to,
with the app's host tenant, for a user tenant that has the app. Refusals use MindSphere's
`{"errors": [{"code", "logref", "message"}]}` body; docs/emulator.md says which facts are sourced.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import faults, stats
from .gateway import error, play
from .models import AppCredential, Fault, GrantEvent, Tenant
from .tokens import technical_token

FIELDS = ("appName", "appVersion", "hostTenant", "userTenant")
CODE = "mdsp.core.technicaltokenmanager"
# Siemens' how-to for local development sends "Bearer" before the encoded credentials, its samples "Basic".
SCHEMES = ("basic", "bearer")
BAD, UNAUTHORIZED, FORBIDDEN = "badRequest", "unauthorized", "forbidden"


class Refused(Exception):
    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason

    def response(self) -> JsonResponse:
        response = error(self.status, self.message, f"{CODE}.{self.reason}")
        if self.status == 401:  # the credentials are Basic ones, not a bearer token
            response["WWW-Authenticate"] = 'Basic realm="technicaltokenmanager"'
        return response


@csrf_exempt  # a machine-to-machine API: the credentials travel in a header, never in a cookie
@never_cache
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """Issue a technical token for the user tenant, or refuse with the status and body of the reason."""
    fields, problem = _identification(request)
    tenant = Tenant.objects.filter(name=fields.get("userTenant", "")).first()
    refusal = play(faults.take(tenant.name if tenant else "", Fault.Target.TECHNICAL))
    if refusal is not None:
        _count(tenant, GrantEvent.Kind.TECHNICAL_TOKEN_FAILURE)
        return refusal
    try:
        credential = _authenticate(request)
        if problem is not None:
            raise problem
        tenant = _permitted(credential, fields)
    except Refused as refused:
        _count(tenant, GrantEvent.Kind.TECHNICAL_TOKEN_FAILURE)
        return refused.response()
    _count(tenant, GrantEvent.Kind.TECHNICAL_TOKEN)
    return JsonResponse(_grant(request, credential, tenant))


def _count(tenant: Tenant | None, kind: str) -> None:
    # Only under a tenant that exists: a request naming nonsense must not invent tenants in the stats.
    if tenant is not None:
        stats.record(tenant.name, kind)


def _identification(request: HttpRequest) -> tuple[dict[str, str], Refused | None]:
    """The request's fields, from the JSON body or the query (not both), and what is wrong with them, if anything."""
    query = {name: request.GET[name] for name in FIELDS if name in request.GET}
    fields: dict = query
    try:
        body = _body(request, required=not query)
        if query and any(name in body for name in FIELDS):
            raise Refused(400, "Give the fields in the body or in the query, not in both.", BAD)
        fields = query or body
        missing = [name for name in FIELDS if not isinstance(fields.get(name), str) or not fields[name]]
        if missing:
            raise Refused(400, f"Missing or empty (strings required): {', '.join(missing)}.", BAD)
    except Refused as problem:
        return _strings(fields), problem
    return _strings(fields), None


def _body(request: HttpRequest, *, required: bool) -> dict:
    """The JSON object in the body; {} when there is none. Only a body that must carry the fields is judged."""
    if not request.body.strip():
        return {}
    content_type = request.content_type or ""
    if content_type != "application/json" and not content_type.endswith("+json"):
        if required:
            raise Refused(415, "The body must be JSON (Content-Type: application/json).", "unsupportedMediaType")
        return {}
    try:
        value = json.loads(request.body)
    except ValueError:  # UnicodeDecodeError included
        value = None
    if not isinstance(value, dict):
        if required:
            raise Refused(400, "The body must be a JSON object with appName, appVersion, hostTenant, userTenant.", BAD)
        return {}
    return value


def _strings(fields: dict) -> dict[str, str]:
    return {name: fields[name] for name in FIELDS if isinstance(fields.get(name), str)}


def _authenticate(request: HttpRequest) -> AppCredential:
    """The credentials of `X-SPACE-AUTH-KEY` (or, as the API allows instead, `Authorization`): Basic, RFC 7617."""
    header = request.headers.get("X-Space-Auth-Key") or request.headers.get("Authorization") or ""
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() not in SCHEMES or not encoded.strip():
        raise Refused(401, "Send X-SPACE-AUTH-KEY: Basic base64(client_id:client_secret).", UNAUTHORIZED)
    try:
        client_id, colon, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Refused(401, "X-SPACE-AUTH-KEY is not base64(client_id:client_secret).", UNAUTHORIZED) from None
    credential = AppCredential.objects.select_related("application__owner").filter(client_id=client_id).first()
    known = credential.client_secret if credential else ""
    # Compared in constant time, and also when the client id is unknown, so timing tells nothing.
    if not colon or not hmac.compare_digest(known.encode(), secret.encode()) or credential is None:
        raise Refused(401, "Bad credentials.", UNAUTHORIZED)
    return credential


def _permitted(credential: AppCredential, fields: dict[str, str]) -> Tenant:
    """The user tenant, when these credentials may have a token for it; Refused (403) otherwise."""
    application = credential.application
    if (fields["appName"], fields["appVersion"]) != (application.name, credential.version):
        raise Refused(
            403,
            f"These credentials are not for app '{fields['appName']}' version '{fields['appVersion']}'.",
            FORBIDDEN,
        )
    if application.owner is None or fields["hostTenant"] != application.owner.name:
        raise Refused(403, f"'{fields['hostTenant']}' is not the host tenant of app '{application.name}'.", FORBIDDEN)
    tenant = Tenant.objects.filter(name=fields["userTenant"]).first()
    if tenant is None or not application.provisioned_to(tenant):
        raise Refused(403, f"Tenant '{fields['userTenant']}' does not have app '{application.name}'.", FORBIDDEN)
    return tenant


def _grant(request: HttpRequest, credential: AppCredential, tenant: Tenant) -> dict:
    lifetime = settings.EMULATOR_ACCESS_TOKEN_SECONDS
    access_token, claims = technical_token(request=request, tenant=tenant, credential=credential, lifetime=lifetime)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": " ".join(credential.scope_claim()),
        "jti": claims["jti"],
        "timestamp": int(time.time() * 1000),
    }
