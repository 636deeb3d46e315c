"""The demo world (README.md's demo users, docs/emulator.md), created idempotently by `python -m emulator seed_demo`."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from .keys import current_signing_key
from .models import AppCredential, Application, AppScope, Asset, CoreRole, Tenant, TenantUser

DEMO_PASSWORD = "demo"

# (tenant, email, app scopes, core role)
DEMO_USERS = [
    ("acme", "admin@acme.example", ["admin", "user"], CoreRole.TENANT_ADMIN),
    ("acme", "user@acme.example", ["user"], CoreRole.STANDARD_USER),
    ("acme", "norole@acme.example", [], CoreRole.STANDARD_USER),
    ("acme", "consultant@example.com", ["user"], CoreRole.STANDARD_USER),
    ("globex", "admin@globex.example", ["admin", "user"], CoreRole.TENANT_ADMIN),
    ("globex", "consultant@example.com", ["admin", "user"], CoreRole.STANDARD_USER),
    ("hooli", "admin@hooli.example", [], CoreRole.TENANT_ADMIN),
]

# (tenant, subtenant, email, app scopes): an admin and a user in each of two subtenants of acme (a
# tenant's customers, kept apart: docs/tenancy.md). Their tokens carry `subtenant`. MindSphere gives a
# subtenant's people one core role, mdsp:core:SubTenantUser (it blocks the others, TenantAdmin too),
# and any app role.
SUBTENANT_USERS = [
    ("acme", "windpark-north", "north-admin@acme.example", ["admin", "user"]),
    ("acme", "windpark-north", "north-user@acme.example", ["user"]),
    ("acme", "windpark-south", "south-admin@acme.example", ["admin", "user"]),
    ("acme", "windpark-south", "south-user@acme.example", ["user"]),
]

TENANTS = {"acme": "ACME Corporation", "globex": "Globex Inc.", "hooli": "Hooli"}
# The tenants that have the app (besides its host tenant); hooli has not, so no technical token is issued for it.
APP_TENANTS = ["acme", "globex"]
# The app roles technical tokens carry: "access tokens generated using application credentials have admin
# scope" (Siemens, "Accessing MindSphere APIs during Local Development").
TECHNICAL_SCOPES = ["admin"]

# Aspects by asset type (emulator.aspects): time-series ("dynamic") aspects, most recording once a
# minute and the motors' vibration once a second; a few variables carry a quality code; and a
# static aspect with the nameplate's values.
ENVIRONMENT = {
    "name": "Environment",
    "category": "dynamic",
    "variables": [{"name": "temperature", "unit": "°C"}, {"name": "humidity", "unit": "%"}],
}


def _nameplate(manufacturer: str, year: int) -> dict:
    return {
        "name": "Nameplate",
        "category": "static",
        "variables": [
            {"name": "manufacturer", "dataType": "STRING", "length": 255, "value": manufacturer},
            {"name": "yearBuilt", "dataType": "INT", "value": year},
        ],
    }


ASPECTS = {
    "Pump": [
        ENVIRONMENT,
        {
            "name": "PumpData",
            "category": "dynamic",
            "variables": [{"name": "pressure", "unit": "bar"}, {"name": "flow", "unit": "l/min"}],
        },
        _nameplate("Acme Pumps", 2019),
    ],
    "Motor": [
        ENVIRONMENT,
        {
            "name": "MotorData",
            "category": "dynamic",
            "variables": [{"name": "speed", "unit": "rpm"}, {"name": "current", "unit": "A", "qualityCode": True}],
        },
        {
            "name": "Vibration",
            "category": "dynamic",
            "samplingSeconds": 1,
            "variables": [{"name": "velocity", "unit": "mm/s", "qualityCode": True}],
        },
        _nameplate("Acme Motors", 2021),
    ],
    "Compressor": [
        ENVIRONMENT,
        {
            "name": "CompressorData",
            "category": "dynamic",
            "variables": [{"name": "pressure", "unit": "bar"}, {"name": "power", "unit": "kW"}],
        },
        _nameplate("Acme Air", 2017),
    ],
}

CITIES = [
    ("Munich", 48.137, 11.575),
    ("Berlin", 52.52, 13.405),
    ("Hamburg", 53.551, 9.993),
    ("Cologne", 50.938, 6.96),
    ("Frankfurt", 50.11, 8.682),
    ("Stuttgart", 48.775, 9.182),
]

# (tenant, how many assets); acme has enough for several pages.
ASSET_COUNTS = {"acme": 28, "globex": 7, "hooli": 3}
HOUR = 3600
# Assets that stopped reporting: their time series have no records in the last so many seconds, however
# late it is (a fleet overview counts them as "not reporting"). Assets no test reads the latest data of.
NOT_REPORTING = {
    "acme": {"Pump 13": 6 * HOUR, "Motor 20": 12 * HOUR, "Compressor 24": 30 * HOUR},
    "globex": {"Globex Motor 05": 8 * HOUR},
}


def asset_id_for(tenant: str, name: str) -> str:
    return hashlib.md5(f"{tenant}/{name}".encode()).hexdigest()


def demo_assets(tenant: str) -> list[dict]:
    kinds = list(ASPECTS)
    assets = []
    for number in range(1, ASSET_COUNTS[tenant] + 1):
        kind = kinds[(number - 1) % len(kinds)]
        city, lat, lon = CITIES[(number - 1) % len(CITIES)]
        name = f"{kind} {number:02d}" if tenant == "acme" else f"{tenant.capitalize()} {kind} {number:02d}"
        assets.append(
            {
                "asset_id": asset_id_for(tenant, name),
                "name": name,
                "external_id": f"{tenant.upper()}-{kind[:3].upper()}-{number:03d}",
                "description": f"{kind} number {number} in {city}.",
                "type_id": f"{tenant}.{kind}",
                "timezone": "Europe/Berlin",
                "location": {"country": "Germany", "locality": city, "latitude": lat, "longitude": lon},
                "aspects": ASPECTS[kind],
                "silent_seconds": NOT_REPORTING.get(tenant, {}).get(name, 0),
            }
        )
    return assets


@transaction.atomic
def seed() -> None:
    application, _ = Application.objects.update_or_create(
        name=settings.EMULATOR_APP_NAME,
        defaults={
            "client_id": settings.EMULATOR_CLIENT_ID,
            "client_secret": settings.EMULATOR_CLIENT_SECRET,
            "redirect_uris": "\n".join(settings.EMULATOR_REDIRECT_URIS),
            "post_logout_redirect_uris": "\n".join(settings.EMULATOR_POST_LOGOUT_REDIRECT_URIS),
        },
    )
    scopes = _app_scopes(application)
    tenants = {name: _tenant(name, display) for name, display in TENANTS.items()}
    for name, tenant in tenants.items():
        for item in demo_assets(name):
            Asset.objects.update_or_create(asset_id=item.pop("asset_id"), defaults={"tenant": tenant, **item})
    people = [(tenant, "", email, names, role) for tenant, email, names, role in DEMO_USERS] + [
        (tenant, sub, email, names, CoreRole.SUBTENANT_USER) for tenant, sub, email, names in SUBTENANT_USERS
    ]
    for tenant_name, subtenant, email, scope_names, core_role in people:
        user = TenantUser.objects.filter(tenant__name=tenant_name, email=email).first()
        if user is None:
            user = TenantUser(tenant=Tenant.objects.get(name=tenant_name), email=email)
        user.subtenant = subtenant
        user.core_role = core_role
        user.is_active = True
        if not user.password:  # hashing is slow; keep a password an admin may have changed
            user.set_password(DEMO_PASSWORD)
        user.save()
        user.app_scopes.set([scopes[scope] for scope in scope_names])
    _seed_technical(application, tenants)
    seed_gateway_client()
    _seed_admin()


def _app_scopes(application: Application) -> dict[str, AppScope]:
    return {name: AppScope.objects.get_or_create(application=application, name=name)[0] for name in ("admin", "user")}


def _tenant(name: str, display: str) -> Tenant:
    tenant, _ = Tenant.objects.get_or_create(name=name, defaults={"display_name": display})
    current_signing_key(tenant)
    return tenant


def _seed_technical(sign_in_app: Application, tenants: dict[str, Tenant]) -> None:
    """The app's credentials for the Token Management Service (MDSP_* variables), its host and who has it."""
    application = _technical_application(sign_in_app)
    host = tenants.get(settings.EMULATOR_HOST_TENANT) or _tenant(settings.EMULATOR_HOST_TENANT, "")
    application.owner = host
    application.save(update_fields=["owner"])
    application.tenants.set([host, *(tenants[name] for name in APP_TENANTS)])
    version, client_id = settings.EMULATOR_TECHNICAL_APP_VERSION, settings.EMULATOR_TECHNICAL_CLIENT_ID
    # The client id may have been another version's before (credentials are per version).
    AppCredential.objects.filter(client_id=client_id).exclude(application=application, version=version).delete()
    credential, _ = AppCredential.objects.update_or_create(
        application=application,
        version=version,
        defaults={"client_id": client_id, "client_secret": settings.EMULATOR_TECHNICAL_CLIENT_SECRET},
    )
    scopes = _app_scopes(application)
    credential.scopes.set([scopes[name] for name in TECHNICAL_SCOPES])


def _technical_application(sign_in_app: Application) -> Application:
    """MDSP_OS_VM_APP_NAME's registration: the sign-in one, unless the Launchpad registration is another app."""
    name = settings.EMULATOR_TECHNICAL_APP_NAME
    if name == sign_in_app.name:
        return sign_in_app
    secret = secrets.token_urlsafe(24)  # nobody signs in with it: the app's people use the sign-in registration
    defaults = {"client_id": f"{name}-standard", "client_secret": secret}
    return Application.objects.get_or_create(name=name, defaults=defaults)[0]


GATEWAY_APP_NAME = "gateway"


def seed_gateway_client() -> None:
    """The emulated gateway's own client registration (emulator/webgateway), with no scopes of its own.

    It may come back to 127.0.0.1, localhost and each tenant's host name {tenant}.localhost on
    GATEWAY_PORT (any port, as for every loopback URI).
    """
    hosts = ["127.0.0.1", "localhost", *(f"{name}.localhost" for name in Tenant.objects.values_list("name", flat=True))]
    origins = [f"http://{host}:{settings.GATEWAY_PORT}" for host in hosts]
    Application.objects.update_or_create(
        name=GATEWAY_APP_NAME,
        defaults={
            "client_id": settings.EMULATOR_GATEWAY_CLIENT_ID,
            "client_secret": settings.EMULATOR_GATEWAY_CLIENT_SECRET,
            "redirect_uris": "\n".join(f"{origin}/_gateway/callback" for origin in origins),
            "post_logout_redirect_uris": "\n".join(f"{origin}/_gateway/signed-out" for origin in origins),
        },
    )


def _seed_admin() -> None:
    User = get_user_model()
    admin = User.objects.filter(username=settings.EMULATOR_ADMIN_USERNAME).first() or User(
        username=settings.EMULATOR_ADMIN_USERNAME
    )
    admin.is_staff = admin.is_superuser = True
    if not admin.password:
        admin.set_password(settings.EMULATOR_ADMIN_PASSWORD)
    admin.save()
