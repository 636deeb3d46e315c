"""The Django admin for the app's operators only (superusers, and admins of MINDSPHERE_OPERATOR_TENANTS).

Anyone else who is signed in gets the app's 403 page instead of the admin's password form, and an
operator who came through MindSphere is signed out by the admin's *Log out* exactly as by the
app's own sign-out (through the tenant's logout.do). Every admin page is a privileged action: an
operator who came through MindSphere gets the token check first (sso.decorators), so losing the
`admin` scope in MindSphere closes the admin within the access token's lifetime.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from .decorators import current_roles_response
from .models import MindSphereIdentity
from .responses import forbidden_response
from .session import identity
from .texts import OPERATORS_ONLY
from .views import logout


class OperatorAdminSite(admin.AdminSite):
    site_header = "MindSphere Mobile Starter: operators"
    site_title = "MindSphere Mobile Starter admin"

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.is_authenticated:
                if not self.has_permission(request):
                    return _operators_only(request)
                answer = current_roles_response(request)  # a due refresh re-syncs staff status
                if answer is not None:
                    return answer
                if not self.has_permission(request):
                    return _operators_only(request)
            return guarded(request, *args, **kwargs)

        return inner

    def has_permission(self, request: HttpRequest) -> bool:
        # A subtenant's person is never an operator (sso.roles); refused here too, whatever their user says.
        signed_in_as = identity(request)
        return super().has_permission(request) and not (signed_in_as and signed_in_as.subtenant)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.user.is_authenticated and not self.has_permission(request):
            return _operators_only(request)
        return super().login(request, extra_context)

    # The app's own sign-out answers with a redirect, not the admin's TemplateResponse.
    def logout(self, request: HttpRequest, extra_context=None) -> HttpResponse:  # type: ignore[override]
        person = request.user.pk
        if (
            request.method == "POST"
            and person is not None
            and MindSphereIdentity.objects.filter(user_id=person).exists()
        ):
            return logout(request)  # the app's own sign-out, through the tenant's logout.do
        return super().logout(request, extra_context)


def _operators_only(request: HttpRequest) -> HttpResponse:
    return forbidden_response(request, OPERATORS_ONLY)
