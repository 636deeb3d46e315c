"""Run the token check before views that call MindSphere, and give them `request.mindsphere`."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from .client import MindSphereAPIError, MindSphereClient
from .exceptions import ProviderUnavailableError, SignedOutError
from .responses import api_error_response, login_url, signed_out_response, unavailable_response, wants_json
from .session import checked_record


def mindsphere_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view runs with a fresh token and `request.mindsphere`, a MindSphereClient.

    Anonymous people and expired sessions go to the Login page (htmx: HX-Redirect; JSON: 401);
    an unreachable MindSphere gives 503 with Retry-After and keeps the person signed in.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _anonymous_response(request)
        try:
            request.mindsphere = MindSphereClient(checked_record(request))
            return view(request, *args, **kwargs)
        except SignedOutError:
            return signed_out_response(request)
        except ProviderUnavailableError as error:
            return unavailable_response(request, error.retry_after)
        except MindSphereAPIError as error:
            # A view that does not handle an API error itself still gets a plain page, never a traceback.
            return api_error_response(request, error)

    return wrapper


def _anonymous_response(request: HttpRequest) -> HttpResponse:
    if request.htmx or wants_json(request):
        return signed_out_response(request)
    return HttpResponseRedirect(login_url(request.get_full_path()))


class MindSphereRequiredMixin:
    """Class-based views' form of `mindsphere_required`."""

    @classmethod
    def as_view(cls, **initkwargs):
        return mindsphere_required(super().as_view(**initkwargs))
