"""The Django admin of the app's operators: app-wide defaults editable, every tenant's mapping visible."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from . import roles
from .models import MappingChange, MindSphereIdentity, ScopeRoleMapping, TokenRecord
from .texts import mapping_change


class TenantFilter(admin.SimpleListFilter):
    title = "mapping"
    parameter_name = "of"

    def lookups(self, request, model_admin):
        tenants = ScopeRoleMapping.objects.exclude(tenant="").values_list("tenant", flat=True).distinct()
        return [("defaults", "App-wide defaults"), *((tenant, f"Tenant {tenant}") for tenant in sorted(tenants))]

    def queryset(self, request, queryset):
        if self.value() == "defaults":
            return queryset.filter(tenant="")
        return queryset.filter(tenant=self.value()) if self.value() else queryset


class DefaultMappingForm(forms.ModelForm):
    """An app-wide default: one per scope (compared as it is stored, lower case), never to Operators."""

    class Meta:
        model = ScopeRoleMapping
        fields = ["scope", "group"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Operators is the app's staff, granted by MINDSPHERE_OPERATOR_TENANTS, not a role a scope gives.
        if group := self.fields.get("group"):  # not on the read-only view of a tenant's own row
            group.queryset = Group.objects.exclude(name=roles.OPERATORS).order_by("name")  # type: ignore[attr-defined]

    def clean_scope(self) -> str:
        scope = self.cleaned_data["scope"].lower()
        # The tenant is not a field of this form, so Django's own unique check skips the constraint.
        others = ScopeRoleMapping.objects.filter(tenant="", scope=scope).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("The scope “%(scope)s” already has an app-wide default: change that one instead."),
                params={"scope": scope},
                code="unique",
            )
        return scope


@admin.register(ScopeRoleMapping)
class ScopeRoleMappingAdmin(admin.ModelAdmin):
    """Operators edit the app-wide defaults; a tenant's own mapping is its admins' (read-only here)."""

    form = DefaultMappingForm

    list_display = ["scope", "group", "of"]
    list_filter = [TenantFilter]
    search_fields = ["scope", "group__name", "tenant"]
    fields = ["scope", "group"]

    @admin.display(description="mapping of", ordering="tenant")
    def of(self, mapping: ScopeRoleMapping) -> str:
        return f"tenant {mapping.tenant}" if mapping.tenant else "app-wide default"

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or not obj.tenant)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.tenant)

    def save_model(self, request, obj, form, change) -> None:
        obj.tenant = ""  # the admin edits app-wide defaults only
        super().save_model(request, obj, form, change)
        self._changed(request, mapping_change("changed" if change else "added", scope=obj.scope, role=obj.group.name))

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        self._changed(request, mapping_change("removed", scope=obj.scope))

    def delete_queryset(self, request, queryset) -> None:
        scopes = sorted(queryset.values_list("scope", flat=True))
        super().delete_queryset(request, queryset.filter(tenant=""))
        self._changed(request, *(mapping_change("removed", scope=scope) for scope in scopes))

    def _changed(self, request, *changes: dict) -> None:
        MappingChange.record("", request.user.get_username(), list(changes))
        roles.resync_default_tenants()


@admin.register(MappingChange)
class MappingChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "tenant", "changed_by", "what"]
    list_filter = ["tenant"]
    fields = readonly_fields = ("changed_at", "tenant", "changed_by", "number", "what")

    @admin.display(description="changes")
    def what(self, change: MappingChange) -> str:
        return "; ".join(change.described)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MindSphereIdentity)
class MindSphereIdentityAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "subtenant", "last_seen"]
    list_filter = ["tenant"]
    search_fields = ["email"]
    readonly_fields = ["user", "tenant", "subtenant", "mindsphere_user_id", "email", "scopes", "last_seen"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TokenRecord)
class TokenRecordAdmin(admin.ModelAdmin):
    """Shows that sessions exist and when they end; never the tokens themselves."""

    list_display = ["user", "tenant", "access_expires_at", "refresh_expires_at", "refreshed_at"]
    list_filter = ["tenant"]
    fields = readonly_fields = (
        "user",
        "tenant",
        "access_expires_at",
        "refresh_expires_at",
        "scopes",
        "created",
        "refreshed_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
