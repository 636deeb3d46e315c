"""The sso app's settings, read in one place with their documented defaults (see README)."""
from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "MINDSPHERE_APP_NAME": "mobilestarter",
    "MINDSPHERE_APP_VERSION": "1.0.0",
    "MINDSPHERE_CLIENT_ID": "mobilestarter-local",
    "MINDSPHERE_CLIENT_SECRET": "local-dev-secret",
    "MINDSPHERE_REGION": "eu1",
    "MINDSPHERE_AUTH_URL": "http://127.0.0.1:8001/{tenant}",
    "MINDSPHERE_GATEWAY_URL": "http://127.0.0.1:8001/gateway",
    "MINDSPHERE_ALLOWED_TENANTS": [],
    # Seconds before the access token's expiry at which a check already refreshes it; larger
    # than the page's polling interval, so an open page refreshes before API calls must wait.
    "MINDSPHERE_TOKEN_LEEWAY": 120,
    # Used when the token response does not say how long the refresh token lives.
    "MINDSPHERE_REFRESH_TOKEN_SECONDS": 43200,
    # Clock skew allowed when checking a token's exp and iat.
    "MINDSPHERE_CLOCK_SKEW": 60,
    # Timeout in seconds of every call to MindSphere (token endpoint, keys, gateway).
    "MINDSPHERE_HTTP_TIMEOUT": 10,
    # How long signing keys are cached before they are read again (Mendix: 24 h).
    "MINDSPHERE_KEYS_CACHE_SECONDS": 86400,
    # Seconds between the lifecycle include's periodic checks while the page is visible.
    "MINDSPHERE_CHECK_INTERVAL": 60,
    # Seconds the browser is asked to wait after a 503 because MindSphere is unreachable.
    "MINDSPHERE_RETRY_AFTER": 30,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
