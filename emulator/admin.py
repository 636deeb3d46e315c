"""The emulator's admin: what a tenant admin does in MindSphere's Settings app, and more."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from .keys import new_signing_key
from .models import AppCredential, Application, AppScope, Asset, Fault, SigningKey, Tenant, TenantUser


class TenantUserForm(forms.ModelForm):
    new_password = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), help_text="Leave empty to keep the password."
    )

    class Meta:
        model = TenantUser
        fields = ["tenant", "email", "new_password", "subtenant", "core_role", "app_scopes", "is_active"]

    def clean(self):
        cleaned = super().clean() or {}
        if not self.instance.pk and not cleaned.get("new_password"):
            self.add_error("new_password", "A new user needs a password.")
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            user.set_password(self.cleaned_data["new_password"])
        if commit:
            user.save()
            self.save_m2m()
        return user


@admin.register(TenantUser)
class TenantUserAdmin(admin.ModelAdmin):
    form = TenantUserForm
    list_display = ["email", "tenant", "core_role", "app_roles", "is_active"]
    list_filter = ["tenant", "app_scopes", "core_role", "is_active"]
    search_fields = ["email"]
    filter_horizontal = ["app_scopes"]
    readonly_fields = ["user_id"]

    @admin.display(description="App roles")
    def app_roles(self, user: TenantUser) -> str:
        return ", ".join(str(scope) for scope in user.app_scopes.all()) or "none"


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name"]
    search_fields = ["name"]
    actions = ["rotate_keys"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.keys.exists():
            new_signing_key(obj)

    @admin.action(description="Rotate signing key (old keys stay published)")
    def rotate_keys(self, request, queryset):
        for tenant in queryset:
            tenant.keys.update(active=False)
            new_signing_key(tenant)


class AppScopeInline(admin.TabularInline):
    model = AppScope
    extra = 1


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "client_id", "owner", "provisioned_to"]
    filter_horizontal = ["tenants"]
    inlines = [AppScopeInline]

    @admin.display(description="Tenants that have it")
    def provisioned_to(self, application: Application) -> str:
        return ", ".join(tenant.name for tenant in application.tenants.all()) or "none"


class AppCredentialForm(forms.ModelForm):
    class Meta:
        model = AppCredential
        fields = ["application", "version", "client_id", "client_secret", "scopes"]

    def clean(self):
        cleaned = super().clean() or {}
        application, scopes = cleaned.get("application"), cleaned.get("scopes") or []
        if application and any(scope.application_id != application.pk for scope in scopes):
            self.add_error("scopes", f"Only scopes of {application.name} can be granted to its credentials.")
        return cleaned


@admin.register(AppCredential)
class AppCredentialAdmin(admin.ModelAdmin):
    """App Credentials of Developer Cockpit: what the Token Management Service accepts, per app version."""

    form = AppCredentialForm
    list_display = ["application", "version", "client_id"]
    list_filter = ["application"]
    filter_horizontal = ["scopes"]


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "tenant", "active", "created"]
    list_filter = ["tenant", "active"]
    exclude = ["private_key_pem"]
    readonly_fields = ["tenant", "kid", "created"]

    def has_add_permission(self, request):
        return False


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "type_id", "external_id", "silent_seconds"]
    list_filter = ["tenant", "type_id"]
    search_fields = ["name", "external_id", "asset_id"]


@admin.register(Fault)
class FaultAdmin(admin.ModelAdmin):
    list_display = ["mode", "target", "tenant", "remaining_calls", "until", "hang_seconds", "created"]
