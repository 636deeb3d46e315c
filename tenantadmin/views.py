"""/manage/roles/: a tenant admin's scope-to-role mapping, the tenant's people, and the history."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap

from navigation.access import role_required
from sso import roles, session
from sso.app_settings import app_settings
from sso.models import MappingChange
from sso.request_types import SignedInRequest
from sso.responses import forbidden_response
from sso.texts import describe_mapping_change

from . import mapping
from .forms import STALE, MappingForm
from .people import people_of

PAGE = "tenantadmin:roles"
ROLE = roles.TENANT_ADMIN_ROLE  # the tenant's admins: the role the app scope `admin` grants by default
APPLIES = gettext_lazy(
    "People of {tenant} get their new roles at once: their pages follow at their next page load or session check."
)
NOT_THROUGH_MINDSPHERE = gettext_lazy(
    "Roles are managed by the admins of a MindSphere tenant; sign in through MindSphere."
)
SUBTENANT = gettext_lazy("The roles of {tenant} are managed by its own admins, not by the people of a subtenant.")


def _tenant(request: SignedInRequest) -> str | None:
    """The tenant the signed-in person manages: from their MindSphere identity, never from the request.

    None for someone who did not sign in through MindSphere, or who belongs to a subtenant.
    """
    identity = session.identity(request)  # kept in the session at sign-in
    return identity.tenant if identity and not identity.subtenant else None


def _refused(request: HttpRequest) -> HttpResponse:
    identity = session.identity(request)
    if identity is None:
        return forbidden_response(request, str(NOT_THROUGH_MINDSPHERE))
    # A subtenant's person never has the Admin role (sso.roles), and is refused here all the same.
    return forbidden_response(request, str(SUBTENANT).format(tenant=identity.tenant))


def _context(request: SignedInRequest, tenant: str, form: MappingForm | None = None) -> dict:
    form = form or MappingForm(tenant=tenant, version=mapping.version(tenant), current=mapping.current(tenant))
    return {
        "tenant": tenant,
        "app_name": app_settings.MINDSPHERE_APP_NAME,
        "form": form,
        "own_mapping": roles.has_own_mapping(tenant),
        "people": people_of(tenant),
        "history": MappingChange.objects.filter(tenant=tenant)[:20],
    }


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(ROLE, privileged=True)
def roles_page(request: SignedInRequest) -> HttpResponse:
    tenant = _tenant(request)
    if tenant is None:
        return _refused(request)
    if request.method == "GET":
        return render(request, "tenantadmin/roles.html", _context(request, tenant))
    current, version = mapping.current(tenant), mapping.version(tenant)
    form = MappingForm(request.POST, tenant=tenant, version=version, current=current)
    if not form.is_valid():
        stale = _problem(form, "stale")
        if stale:  # show the mapping as it is now, so nothing stale is saved by accident
            return _form_again(request, tenant, MappingForm(tenant=tenant, version=version, current=current), stale)
        return _form_again(request, tenant, form)
    try:
        changes = mapping.save(tenant, form.mapping(), by=_who(request), expected=version)
    except mapping.StaleMapping:  # another admin saved between this form's check and its save
        return _stale(request, tenant)
    if changes:
        saved = _("Mapping saved: {changes}.").format(changes="; ".join(map(describe_mapping_change, changes)))
        messages.success(request, saved + " " + APPLIES.format(tenant=tenant))
    else:
        messages.info(request, _("Nothing changed."))
    return _done(request, tenant)


@require_POST
@role_required(ROLE, privileged=True)
def reset(request: SignedInRequest) -> HttpResponse:
    """Back to the app's defaults: only for the person's own tenant, and only from a current form."""
    tenant = _tenant(request)
    if tenant is None:
        return _refused(request)
    current, version = mapping.current(tenant), mapping.version(tenant)
    form = MappingForm(request.POST, tenant=tenant, version=version, current=current)
    form.is_valid()  # only whether it is this tenant's current form matters here
    problem = _problem(form, "unreadable") or _problem(form, "tenant") or _problem(form, "stale")
    if problem:
        return _form_again(request, tenant, MappingForm(tenant=tenant, version=version, current=current), problem)
    try:
        was_reset = mapping.reset(tenant, by=_who(request), expected=version)
    except mapping.StaleMapping:
        return _stale(request, tenant)
    if was_reset:
        messages.success(
            request,
            _("The mapping of {tenant} is back to the app's defaults.").format(tenant=tenant)
            + " "
            + APPLIES.format(tenant=tenant),
        )
    else:
        messages.info(request, _("{tenant} already uses the app's defaults.").format(tenant=tenant))
    return _done(request, tenant)


def _stale(request: SignedInRequest, tenant: str) -> HttpResponse:
    form = MappingForm(tenant=tenant, version=mapping.version(tenant), current=mapping.current(tenant))
    return _form_again(request, tenant, form, str(STALE))


def _who(request: SignedInRequest) -> str:
    identity = getattr(request.user, "mindsphere", None)
    return identity.email if identity else request.user.get_username()


def _problem(form: MappingForm, code: str) -> str:
    """The message of the form-wide error with this code, if the form has one."""
    return next((" ".join(error.messages) for error in form.non_field_errors().as_data() if error.code == code), "")


def _form_again(request: SignedInRequest, tenant: str, form: MappingForm, problem: str = "") -> HttpResponse:
    context = {**_context(request, tenant, form), "problem": problem}
    if request.htmx:  # the page's content with the form and its message; HX-Reswap: swapped despite the 400
        return reswap(render(request, "tenantadmin/_content.html", context, status=400), "outerHTML")
    return render(request, "tenantadmin/roles.html", context, status=400)


def _done(request: SignedInRequest, tenant: str) -> HttpResponse:
    if request.htmx:  # the whole page changed (people's roles, history): replace the page's content
        return render(request, "tenantadmin/_content.html", _context(request, tenant))
    return redirect(PAGE)
