"""Views of CSV exports: start one, watch its progress (htmx polling), download it, try a failed one
again, delete one."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import retarget

from mindsphere.exceptions import ProviderUnavailableError
from navigation.access import role_required
from sso.bearer import is_gateway_request
from sso.decorators import mindsphere_required
from sso.request_types import MindSphereRequest, SignedInRequest
from sso.responses import unavailable_response_for
from sso.session import identity, record_id

from .app_settings import app_settings, asset_roles
from .forms import ExportForm
from .loading import swap_error
from .models import Export
from .tasks import export_time_series


@require_POST
@role_required(asset_roles)  # the role first: no token refresh for a 403
@mindsphere_required
def start_export(request: MindSphereRequest, asset_id: str) -> HttpResponse:
    try:
        asset = request.mindsphere.asset(asset_id)  # 404 from MindSphere for another tenant's asset
        aspects = request.mindsphere.aspects(asset_id)  # the time-series aspects' variables
    except ProviderUnavailableError as error:
        if request.htmx:
            raise  # JSON with the failure's text: the form stays, static/js/busy.js says so with Try again
        # A page whose Try again goes back to the form (the failed POST's own URL is no page).
        return unavailable_response_for(request, error, retry_url=reverse("assets:detail", args=[asset_id]))
    form = ExportForm(request.POST, aspects=aspects)
    if not form.is_valid():
        return _form_again(request, form, asset, status=400)
    too_many = _too_many_active(request)
    if too_many:
        form.add_error(None, too_many)
        return _form_again(request, form, asset, status=429)
    start, end = form.range()
    export = Export.objects.create(
        user=request.user,
        tenant=request.mindsphere.tenant,
        token_record_id=record_id(request),
        # Behind MindSphere's gateway there is no record to refresh: the worker uses the app's own
        # token for the tenant, once the person's own token has shown the asset is theirs to read.
        technical=is_gateway_request(request),
        asset_id=asset["assetId"],
        asset_name=asset.get("name", asset["assetId"]),
        property_set=form.cleaned_data["property_set"],
        variables=form.variables(),
        start=start,
        end=end,
    )
    # Queue only once the row is committed, or a fast worker would not find it.
    transaction.on_commit(lambda: export_time_series.delay(export.pk))
    if request.htmx:
        return render(request, "assets/_export_status.html", {"export": export}, status=201)
    return redirect("assets:export", pk=export.pk)


def _too_many_active(request: SignedInRequest) -> str:
    """Why no other export may start now ("": it may)."""
    active = Export.objects.filter(user=request.user, status__in=Export.ACTIVE).count()
    if active < app_settings.ASSETS_MAX_ACTIVE_EXPORTS:
        return ""
    return _("You already have {active} exports running. Wait for one to finish, then start another.").format(
        active=active
    )


def _form_again(request: SignedInRequest, form: ExportForm, asset: dict, *, status: int) -> HttpResponse:
    """The form with its errors: a page, or for htmx the form itself in the form's place (not in the list)."""
    context = {"form": form, "asset": asset}
    if request.htmx:
        return swap_error(retarget(render(request, "assets/_export_form.html", context, status=status), "#export-form"))
    return render(request, "assets/export_form.html", context, status=status)


def _own_export(request: SignedInRequest, pk: int) -> Export:
    # Only the person who asked can see an export: anyone else gets a 404, not a 403 that confirms it exists.
    return get_object_or_404(Export, pk=pk, user=request.user)


def _own_tenants_export(request: SignedInRequest, pk: int) -> Export:
    """An export to change: the person's own, and of the tenant they are signed in to now."""
    signed_in = identity(request)
    return get_object_or_404(Export, pk=pk, user=request.user, tenant=signed_in.tenant if signed_in else None)


def _status_answer(request: SignedInRequest, export: Export, *, status: int = 200, problem: str = "") -> HttpResponse:
    """The export's entry in its place (htmx), else its page."""
    context = {"export": export, "problem": problem}
    if request.htmx:
        response = render(request, "assets/_export_status.html", context, status=status)
        return swap_error(response) if status >= 400 else response
    return render(request, "assets/export_detail.html", context, status=status)


@require_POST
@role_required(asset_roles)
@mindsphere_required  # the export runs with this session's tokens: a fresh one
def retry_export(request: MindSphereRequest, pk: int) -> HttpResponse:
    """A failed export, queued again from the start with this session's tokens."""
    export = _own_tenants_export(request, pk)
    if export.status != Export.Status.FAILED:
        return _status_answer(request, export, status=409, problem=_("Only a failed export can be tried again."))
    too_many = _too_many_active(request)
    if too_many:
        return _status_answer(request, export, status=429, problem=too_many)
    export.status, export.progress, export.rows, export.finished = Export.Status.QUEUED, 0, 0, None
    export.message, export.message_code, export.message_values = "", "", {}
    export.token_record_id = record_id(request)  # the session that started it may have ended since
    export.technical = is_gateway_request(request)  # as a start: behind the gateway, the app's own token
    export.save()
    transaction.on_commit(lambda: export_time_series.delay(export.pk))
    if request.htmx:
        return _status_answer(request, export)
    return redirect("assets:export", pk=export.pk)


@never_cache
@role_required(asset_roles)
def delete_export(request: SignedInRequest, pk: int) -> HttpResponse:
    """GET: is this the export to delete? POST: delete it and its file. One that is still running can't be."""
    export = _own_tenants_export(request, pk)
    if export.is_active:
        return _status_answer(
            request, export, status=409, problem=_("A running export can't be deleted. Wait until it ends.")
        )
    if request.method != "POST":
        return render(request, "assets/export_delete.html", {"export": export})
    if export.file:
        export.file.delete(save=False)
    export.delete()
    messages.success(request, _("The export is deleted."))
    return redirect("assets:exports")


@never_cache
@role_required(asset_roles)
def export_status(request: SignedInRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    if request.htmx:
        return render(request, "assets/_export_status.html", {"export": export})
    return render(request, "assets/export_detail.html", {"export": export})


@never_cache
@role_required(asset_roles)
def export_list(request: SignedInRequest) -> HttpResponse:
    exports = Export.objects.filter(user=request.user)[:20]
    return render(request, "assets/export_list.html", {"exports": exports})


@never_cache
@role_required(asset_roles)
def export_download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    export = _own_export(request, pk)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404("This export has no file (yet).")
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename, content_type="text/csv")
