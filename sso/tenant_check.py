"""Does a tenant exist? Asked before a person is sent to its sign-in, so a typo is told on the Login page.

The tenant's `token_keys` answer: keys (it exists), 404 (MindSphere does not know it), or nothing
usable (MindSphere unreachable). On MindSphere a tenant is a host name, `{tenant}.piam.…`: one
that does not resolve while the gateway's host does is an unknown tenant too. Found and not found
are cached for MINDSPHERE_TENANT_CHECK_CACHE_SECONDS; an outage is not, so the next try asks again.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import socket
from urllib.parse import urlsplit

import requests
from django.core.cache import cache
from urllib3.exceptions import NameResolutionError

from . import tenants
from .app_settings import app_settings

logger = logging.getLogger(__name__)


class TenantStatus(enum.Enum):
    FOUND = "found"
    UNKNOWN = "unknown"
    UNREACHABLE = "unreachable"


def check_tenant(tenant: str) -> TenantStatus:
    """Whether MindSphere knows `tenant` (already validated by tenants.clean_tenant)."""
    url = tenants.keys_url(tenant)
    key = "sso:tenant-check:" + hashlib.sha256(url.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return TenantStatus(cached)
    status = _ask(url)
    if status is not TenantStatus.UNREACHABLE:
        cache.set(key, status.value, app_settings.MINDSPHERE_TENANT_CHECK_CACHE_SECONDS)
    else:
        logger.warning("Tenant check for %s: MindSphere unreachable", tenant)
    return status


def _ask(url: str) -> TenantStatus:
    try:
        response = requests.get(
            url,
            timeout=app_settings.MINDSPHERE_TENANT_CHECK_TIMEOUT,
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
    except requests.Timeout:  # before ConnectionError: a connect timeout is both
        return TenantStatus.UNREACHABLE
    except requests.ConnectionError as error:
        return TenantStatus.UNKNOWN if _no_such_host(url, error) else TenantStatus.UNREACHABLE
    except requests.RequestException:
        return TenantStatus.UNREACHABLE
    if response.status_code == 404:
        return TenantStatus.UNKNOWN
    if response.status_code >= 500 or response.status_code == 429:
        return TenantStatus.UNREACHABLE
    # Anything else (keys, or an answer this check does not understand): let the tenant's own
    # sign-in page have the last word.
    return TenantStatus.FOUND


def _no_such_host(url: str, error: requests.ConnectionError) -> bool:
    """The tenant's host name does not resolve while the gateway's does (so DNS itself works)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if not isinstance(reason, NameResolutionError):
        return False
    gateway = urlsplit(app_settings.MINDSPHERE_GATEWAY_URL.format(tenant="", region=app_settings.MINDSPHERE_REGION))
    if not gateway.hostname or gateway.hostname == urlsplit(url).hostname:
        return False
    try:
        socket.getaddrinfo(gateway.hostname, gateway.port or 443)
    except OSError:
        return False
    return True
