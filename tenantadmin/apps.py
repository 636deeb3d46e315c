from __future__ import annotations

from django.apps import AppConfig


class TenantAdminConfig(AppConfig):
    name = "tenantadmin"
    verbose_name = "Tenant administration: each tenant's admins manage their own tenant's roles"
