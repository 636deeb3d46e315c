"""MindSphere's URLs from the settings' templates: `{region}` and `{tenant}` filled in.

On MindSphere the region and the tenant are parts of host names
(`https://gateway.{region}.mindsphere.io`, `https://{tenant}.piam.{region}.mindsphere.io`); the
local emulator takes them as path segments. sso.tenants builds the sign-in URLs with `fill`.
"""

from __future__ import annotations

from .app_settings import app_settings


def fill(template: str, tenant: str) -> str:
    """`template` with `{tenant}` and `{region}` (MINDSPHERE_REGION) filled, without a trailing slash."""
    return template.format(tenant=tenant, region=app_settings.MINDSPHERE_REGION).rstrip("/")


def gateway_base(tenant: str) -> str:
    """The API gateway for the tenant's calls, from MINDSPHERE_GATEWAY_URL."""
    return fill(app_settings.MINDSPHERE_GATEWAY_URL, tenant)
