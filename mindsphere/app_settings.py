"""Settings read from a class of defaults (django-allauth's `app_settings` style), and this package's own.

An `AppSettingsBase` subclass lists typed defaults as upper-case class attributes; read through an
instance (`app_settings.NAME`), a project setting of that name wins, else the default. Every app's
`app_settings.py` subclasses it; sso's `AppSettings` extends `MindSphereSettings`, so both read
these defaults, written once, here.
"""

from __future__ import annotations

from django.conf import settings


class AppSettingsBase:
    """Upper-case class attributes are defaults; a Django setting of the same name wins."""

    def __getattribute__(self, name: str):
        default = object.__getattribute__(self, name)
        return getattr(settings, name, default) if name.isupper() else default


class MindSphereSettings(AppSettingsBase):
    """What the gateway client reads (README's configuration table lists them with sso's settings)."""

    MINDSPHERE_APP_NAME: str = "mobilestarter"
    # Shown on the Account page and sent in the User-Agent of every call to MindSphere.
    MINDSPHERE_APP_VERSION: str = "1.0.0"
    MINDSPHERE_REGION: str = "eu1"
    MINDSPHERE_GATEWAY_URL: str = "http://127.0.0.1:8001/gateway"
    # Timeout in seconds of every call to MindSphere (token endpoint, keys, gateway).
    MINDSPHERE_HTTP_TIMEOUT: int = 10
    # The app's own credentials for the Token Management Service (work with no person signed in,
    # mindsphere.technical), named as MindSphere's Cloud Foundry and the Siemens SDKs name them.
    # The defaults are the emulator's demo registration; empty means the default, as in the emulator.
    MDSP_KEY_STORE_CLIENT_ID: str = "mobilestarter-technical"
    MDSP_KEY_STORE_CLIENT_SECRET: str = "local-technical-secret"
    MDSP_OS_VM_APP_NAME: str = "mobilestarter"
    MDSP_OS_VM_APP_VERSION: str = "1.0.0"
    MDSP_HOST_TENANT: str = "acme"


app_settings = MindSphereSettings()
