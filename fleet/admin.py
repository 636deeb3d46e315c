"""The fleet overviews in the operators' Django admin: read-only, what each tenant's last run found."""

from __future__ import annotations

from django.contrib import admin

from .models import FleetOverview


@admin.register(FleetOverview)
class FleetOverviewAdmin(admin.ModelAdmin):
    list_display = [
        "tenant",
        "asset_count",
        "not_reporting_count",
        "computed_at",
        "error_code",
        "error_at",
        "next_run_at",
    ]
    list_filter = ["error_code"]
    search_fields = ["tenant"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
