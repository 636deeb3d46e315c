"""The sso app's settings and their defaults, in one place (django-allauth's `app_settings` style).

Read them as `app_settings.MINDSPHERE_CLIENT_ID`: a project setting of that name wins, else the
default below. The gateway's settings (MINDSPHERE_APP_NAME, _APP_VERSION, _REGION, _GATEWAY_URL,
_HTTP_TIMEOUT) are inherited from mindsphere.app_settings, where their defaults are, and read
here the same way. `project/settings.py` only copies environment variables of these names; the
README's configuration table is checked against these classes by the test suite.
"""

from __future__ import annotations

from mindsphere.app_settings import MindSphereSettings


class AppSettings(MindSphereSettings):
    MINDSPHERE_CLIENT_ID: str = "mobilestarter-local"
    MINDSPHERE_CLIENT_SECRET: str = "local-dev-secret"
    MINDSPHERE_AUTH_URL: str = "http://127.0.0.1:8001/{tenant}"
    MINDSPHERE_ALLOWED_TENANTS: list[str] = []
    # Scopes asked for at sign-in, separated by spaces; MindSphere puts the person's roles in the
    # token whatever is asked, so the default asks for none.
    MINDSPHERE_SCOPES: str = ""
    # Tenants whose admins (app scope `admin`) are the app's operators: Django admin, app-wide defaults.
    MINDSPHERE_OPERATOR_TENANTS: list[str] = []
    # Seconds before the access token's expiry at which a check already refreshes it; larger
    # than the page's polling interval, so an open page refreshes before API calls must wait.
    MINDSPHERE_TOKEN_LEEWAY: int = 120
    # Used when the token response does not say how long the refresh token lives.
    MINDSPHERE_REFRESH_TOKEN_SECONDS: int = 43200
    # Clock skew allowed when checking a token's exp and iat.
    MINDSPHERE_CLOCK_SKEW: int = 60
    # How long signing keys are cached before they are read again (Mendix: 24 h).
    MINDSPHERE_KEYS_CACHE_SECONDS: int = 86400
    # Before sending a person to a tenant's sign-in, the app checks that the tenant exists (its
    # token_keys answer): within this timeout, remembering the answer this long.
    MINDSPHERE_TENANT_CHECK_TIMEOUT: int = 3
    MINDSPHERE_TENANT_CHECK_CACHE_SECONDS: int = 300
    # Seconds between the lifecycle include's periodic checks while the page is visible.
    MINDSPHERE_CHECK_INTERVAL: int = 60
    # Seconds a started sign-in may take: the anonymous session of one never finished expires then.
    MINDSPHERE_SIGN_IN_TIMEOUT: int = 900
    # Seconds the browser is asked to wait after a 503 because MindSphere is unreachable.
    MINDSPHERE_RETRY_AFTER: int = 30
    # The Launchpad entrance (docs/launchpad.md): sign people in from the bearer token MindSphere's
    # gateway sends with every request. Off by default: only behind the gateway may that header be
    # trusted to come from it (make run turns it on for the emulated gateway).
    MINDSPHERE_GATEWAY_SIGN_IN: bool = False
    # The OS Bar every Launchpad app loads; {region} is MINDSPHERE_REGION.
    MINDSPHERE_OSBAR_URL: str = "https://static.{region}.mindsphere.io/osbar/v4/js/main.min.js"
    # The OS Bar's About panel (the app-info JSON): who holds the copyright, and where help is.
    MINDSPHERE_APP_COPYRIGHT: str = "MindSphere Mobile Starter contributors"
    MINDSPHERE_SUPPORT_URL: str = ""


app_settings = AppSettings()
