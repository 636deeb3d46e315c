"""The tenant a person types: validated before it becomes part of any URL."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from mindsphere.hosts import fill, gateway_base

from .app_settings import app_settings

# A DNS label: it becomes the host name {tenant}.piam.{region}.mindsphere.io on MindSphere.
TENANT_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,61}[a-z0-9]")


# Plain http is allowed on these hosts only: the local emulator (sso.E002 rejects it elsewhere).
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class InvalidTenantError(ValueError):
    """The text typed as a tenant cannot be used; the message says why in plain words."""


def clean_tenant(raw: str | None) -> str:
    """The tenant name, trimmed and lower-cased, or InvalidTenantError."""
    # Trim spaces only: a line break or other control character can't come from the form's
    # single-line field, so it is rejected below rather than silently removed.
    value = (raw or "").strip(" ")
    if not value:
        raise InvalidTenantError(_("Enter the name of your MindSphere tenant."))
    # ASCII before lower-casing: some letters lower-case to ASCII (the Kelvin sign U+212A to "k").
    if not value.isascii() or not TENANT_PATTERN.fullmatch(value.lower()):
        raise InvalidTenantError(
            _(
                "A tenant name has 2 to 63 letters, digits or hyphens and starts with a letter, "
                "for example “acme”. Check the name and try again."
            )
        )
    value = value.lower()
    allowed = app_settings.MINDSPHERE_ALLOWED_TENANTS
    if allowed and value not in {name.lower() for name in allowed}:
        raise InvalidTenantError(
            _("This app is not available for the tenant “{tenant}”. Ask your administrator.").format(tenant=value)
        )
    return value


def auth_base(tenant: str) -> str:
    """The tenant's sign-in host, from MINDSPHERE_AUTH_URL (`{tenant}`, `{region}` placeholders).

    The gateway's is mindsphere.hosts.gateway_base.
    """
    return fill(app_settings.MINDSPHERE_AUTH_URL, tenant)


def authorize_url(tenant: str) -> str:
    return f"{auth_base(tenant)}/oauth/authorize"


def token_url(tenant: str) -> str:
    return f"{auth_base(tenant)}/oauth/token"


def issuer(tenant: str) -> str:
    return token_url(tenant)


def keys_url(tenant: str) -> str:
    return f"{auth_base(tenant)}/token_keys"


def logout_url(tenant: str) -> str:
    return f"{auth_base(tenant)}/logout.do"


def insecure(url: str) -> bool:
    """Whether `url` is not https and not on this machine's loopback."""
    parts = urlsplit(url)
    return parts.scheme != "https" and parts.hostname not in LOOPBACK


def configured_urls() -> list[str]:
    """MINDSPHERE_AUTH_URL (for an example tenant) and MINDSPHERE_GATEWAY_URL, placeholders filled."""
    return [auth_base("tenant"), gateway_base("tenant")]
