from django.contrib import admin

from .models import MindSphereIdentity, ScopeRoleMapping, TokenRecord


@admin.register(ScopeRoleMapping)
class ScopeRoleMappingAdmin(admin.ModelAdmin):
    list_display = ["scope", "group"]
    list_editable = ["group"]
    search_fields = ["scope", "group__name"]


@admin.register(MindSphereIdentity)
class MindSphereIdentityAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "subtenant", "last_seen"]
    list_filter = ["tenant"]
    search_fields = ["email"]
    readonly_fields = ["user", "tenant", "subtenant", "mindsphere_user_id", "email", "scopes", "last_seen"]

    def has_add_permission(self, request):
        return False


@admin.register(TokenRecord)
class TokenRecordAdmin(admin.ModelAdmin):
    """Shows that sessions exist and when they end; never the tokens themselves."""

    list_display = ["user", "tenant", "access_expires_at", "refresh_expires_at", "refreshed_at"]
    list_filter = ["tenant"]
    fields = ["user", "tenant", "access_expires_at", "refresh_expires_at", "scopes", "created", "refreshed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
