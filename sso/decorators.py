"""Run the token check before views that call MindSphere, and give them `request.mindsphere`."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from mindsphere.exceptions import MindSphereAPIError, ProviderUnavailableError, RateLimitedError

from .exceptions import SignedOutError
from .request_types import MindSphereRequest
from .responses import api_error_response, login_required_response, signed_out_response, unavailable_response
from .session import ensure_fresh
from .tokens import api_client


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
            request.mindsphere = api_client(ensure_fresh(request))
            return view(request, *args, **kwargs)
        except SignedOutError:
            return signed_out_response(request)
        except ProviderUnavailableError as error:
            return unavailable_response(request, error.retry_after, rate_limited=isinstance(error, RateLimitedError))
        except MindSphereAPIError as error:
            # A view that does not handle an API error itself still gets a plain page, never a traceback.
            return api_error_response(request, error)

    return wrapper
