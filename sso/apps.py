import os
from urllib.parse import urlsplit

from django.apps import AppConfig

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "MindSphere sign-in"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers system checks and signal receivers)
        from . import conf

        # oauthlib refuses plain http. The local emulator speaks http on loopback only, so allow
        # that case and no other (sso.E002 rejects http anywhere else).
        urls = [conf.get("MINDSPHERE_AUTH_URL").format(tenant="t", region="r"), conf.get("MINDSPHERE_GATEWAY_URL")]
        if all(urlsplit(url).scheme == "https" or urlsplit(url).hostname in LOOPBACK for url in urls):
            if any(urlsplit(url).scheme == "http" for url in urls):
                os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
