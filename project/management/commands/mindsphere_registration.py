"""`manage.py mindsphere_registration`: what to enter in Developer Cockpit, from the settings.

The app has two registrations (docs/launchpad.md): *Mobile* for the phone entrance (its own
sign-in) and *Standard* for the Launchpad entrance (behind MindSphere's gateway). Both are printed
from the same settings the app runs with, so the docs and the registration cannot drift.
"""

from __future__ import annotations

from csp.utils import build_policy
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from navigation.homes import ROLE_HOMES
from project.security import sign_in_origin
from sso.app_settings import app_settings
from sso.osbar import csp_additions, osbar_url


def app_roles(scopes: list[str]) -> dict[str, list[str]]:
    """Developer Cockpit's app roles and their scopes: `admin` holds every scope, each other role its own."""
    return {scope: sorted(scopes) if scope == "admin" else [scope] for scope in scopes}


def launchpad_csp() -> str:
    """The CSP the Standard registration needs: the app's own, the tenant's sign-in, the OS Bar."""
    additions = {"form-action": [sign_in_origin()], **csp_additions(always=True)}
    directives = [part.strip() for part in build_policy(update=additions).split(";") if part.strip()]
    # In a fixed order (default-src first), so two runs print the same text.
    return "; ".join(sorted(directives, key=lambda part: (not part.startswith("default-src"), part)))


class Command(BaseCommand):
    help = "Print what to enter in MindSphere's Developer Cockpit for the app's two registrations."

    def add_arguments(self, parser: CommandParser) -> None:
        host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "your-app.example.com"
        parser.add_argument(
            "--base-url",
            default=f"https://{host}",
            help="Where the app is served for the phone entrance (default: https:// and the first ALLOWED_HOSTS).",
        )

    def handle(self, *args, base_url: str, **options) -> None:
        base = base_url.rstrip("/")
        name, version = app_settings.MINDSPHERE_APP_NAME, app_settings.MINDSPHERE_APP_VERSION
        scopes = sorted({home.scope for home in ROLE_HOMES})
        lines = [
            "Both registrations",
            f"  Internal name:  {name}  (scopes are named {name}.<scope>; the app reads that prefix)",
            f"  Version:        {version}",
            "  Scopes and the roles they give in the app (role homes, navigation/homes.py):",
            *[f"    {name}.{home.scope:<10} -> {home.role}" for home in ROLE_HOMES],
            "  App roles in Developer Cockpit and their scopes:",
            *[f"    {role:<10} {', '.join(held)}" for role, held in app_roles(scopes).items()],
            "",
            "1. Mobile (the phone entrance: the app's own sign-in)",
            "  Type:           Mobile",
            f"  Client id:      {app_settings.MINDSPHERE_CLIENT_ID}  (MINDSPHERE_CLIENT_ID; Developer Cockpit issues it)",
            f"  Redirect URI:   {base}{reverse('mindsphere_callback')}",
            f"  Post-logout:    {base}/",
            "  Links the phone apps verify:",
            f"    {base}{reverse('webapp:assetlinks')}",
            f"    {base}{reverse('webapp:apple_app_site_association')}",
            "",
            "2. Standard (the Launchpad entrance: behind MindSphere's gateway)",
            "  Type:           Standard, Cloud Foundry; the component is this app (manifest.yml)",
            "  Endpoint:       /**",
            f"  OS Bar:         {osbar_url()}",
            f"  CSP:            {launchpad_csp()}",
            "  Deployment:     MINDSPHERE_GATEWAY_SIGN_IN=1 and CSRF_TRUSTED_ORIGINS=https://*."
            f"{app_settings.MINDSPHERE_REGION}.mindsphere.io",
        ]
        self.stdout.write("\n".join(lines))
