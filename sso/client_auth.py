"""How the app authenticates itself at a tenant's token endpoint (RFC 6749, section 2.3.1)."""

from __future__ import annotations

from urllib.parse import quote_plus

from requests.auth import HTTPBasicAuth

from .app_settings import app_settings


def form_encoded(value: str) -> str:
    """`value` as application/x-www-form-urlencoded (RFC 6749, appendix B): space as '+', the rest %XX."""
    return quote_plus(value, safe="")


def client_basic_auth(client_id: str | None = None, secret: str | None = None) -> HTTPBasicAuth:
    """HTTP Basic credentials of the app (MINDSPHERE_CLIENT_ID and _SECRET unless given).

    Each part is form-urlencoded first, as RFC 6749 section 2.3.1 requires; a conformant server
    decodes them again, so a secret with ':', '%', '+' or a space arrives unchanged.
    """
    client_id = app_settings.MINDSPHERE_CLIENT_ID if client_id is None else client_id
    secret = app_settings.MINDSPHERE_CLIENT_SECRET if secret is None else secret
    return HTTPBasicAuth(form_encoded(client_id), form_encoded(secret))
