"""Run the token check before views that call MindSphere (`request.mindsphere`) and before privileged ones."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseBase

from mindsphere.exceptions import MindSphereAPIError, ProviderUnavailableError

from . import texts
from .bearer import gateway_client
from .exceptions import SignedOutError
from .request_types import MindSphereRequest
from .responses import (
    api_error_response,
    forbidden_response,
    login_required_response,
    signed_out_response,
    unavailable_response_for,
)
from .session import ensure_current_roles, ensure_fresh
from .tokens import api_client

View = Callable[..., HttpResponseBase]


def mindsphere_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view runs with a fresh token and `request.mindsphere`, a mindsphere.api.MindSphereClient.

    Put role checks outside it, so a person without the role gets 403 without a token refresh.
    People who are not signed in, or whose session ended, go to the Login page (see
    sso.responses); an unreachable MindSphere gives 503 with Retry-After and keeps them signed in.
    For a class-based view: `@method_decorator(mindsphere_required, name="dispatch")`.
    """

    @wraps(view)
    def wrapper(request: MindSphereRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return login_required_response(request)
        try:
            # Behind MindSphere's gateway, the request's own token; else the session's record, refreshed if due.
            request.mindsphere = gateway_client(request) or api_client(ensure_fresh(request))
            return view(request, *args, **kwargs)
        except SignedOutError:
            return signed_out_response(request)
        except ProviderUnavailableError as error:
            return unavailable_response_for(request, error)
        except MindSphereAPIError as error:
            # A view that does not handle an API error itself still gets a plain page, never a traceback.
            return api_error_response(request, error)

    return wrapper


def current_roles_response(request: HttpRequest) -> HttpResponse | None:
    """The token check of a privileged action (sso.session.ensure_current_roles) for a signed-in person.

    None: go on, with `request.user`'s roles and staff status as MindSphere gives them now. Else the
    answer to give: signed out (MindSphere refused the refresh, or the session is over), 503 with
    Retry-After (MindSphere unreachable; still signed in, nothing done), or 403 (roles from
    MindSphere, but this session did not sign in through it).
    """
    try:
        if ensure_current_roles(request):
            return None
    except SignedOutError:
        return signed_out_response(request)
    except ProviderUnavailableError as error:
        return unavailable_response_for(request, error)
    return forbidden_response(request, str(texts.SIGN_IN_THROUGH_MINDSPHERE))


def privileged(
    allowed: Callable[[HttpRequest], bool], *, refused: Callable[[HttpRequest], HttpResponse] = forbidden_response
) -> Callable[[View], View]:
    """For views and actions that give power over others (a tenant's roles, the operators' admin).

    `allowed(request)` decides from the person's roles; it is asked on the roles as MindSphere gives
    them now: anonymous people go to the Login page; people it refuses on the roles the app knows get
    `refused` at once (no token refresh); the others get the token check first
    (`current_roles_response`: a due refresh re-syncs their roles from the new scopes, a refused one
    signs them out), then `allowed` again. So a role removed in MindSphere stops counting within the
    access token's lifetime, whether or not the person's pages run the session check.
    `navigation.access.role_required(..., privileged=True)` is this with a page's roles.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return login_required_response(request)
            if not allowed(request):
                return refused(request)
            answer = current_roles_response(request)
            if answer is not None:
                return answer
            if not allowed(request):  # the refresh took the role away
                return refused(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
