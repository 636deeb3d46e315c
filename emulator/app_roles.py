"""Setting a tenant user's app roles (app scopes) for /_emulator/users/…/scopes, as MindSphere's Settings app does."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .models import Application, Tenant, TenantUser

SPEC_KEYS = {"scopes", "application"}


class NotFound(LookupError):
    """No such tenant or user (the URL names something that does not exist)."""


class ScopeSpecError(ValueError):
    """The request body is not a valid scope assignment."""


def find_user(tenant_name: str, email: str) -> TenantUser:
    tenant = Tenant.objects.filter(name=tenant_name).first()
    if tenant is None:
        raise NotFound(f"There is no tenant '{tenant_name}'.")
    users = TenantUser.objects.filter(tenant=tenant)
    # Sign-in matches emails case-insensitively; an exact match wins should two differ only in case.
    user = users.filter(email=email).first() or users.filter(email__iexact=email).first()
    if user is None:
        raise NotFound(f"There is no user '{email}' in tenant '{tenant_name}'.")
    return user


def find_application(name: object = None) -> Application:
    """The named application; the emulator's own registration (MINDSPHERE_APP_NAME) when None."""
    name = settings.EMULATOR_APP_NAME if name is None else name
    if not isinstance(name, str):
        raise ScopeSpecError('"application" must be a string')
    application = Application.objects.filter(name=name).first()
    if application is None:
        raise ScopeSpecError(f"there is no application '{name}'")
    return application


def parse(spec: object) -> tuple[Application, list[str]]:
    """The application and scope names of {"scopes": [name, …], "application"?: name}."""
    if not isinstance(spec, dict):
        raise ScopeSpecError('the body must be a JSON object such as {"scopes": ["admin", "user"]}')
    unknown = sorted(set(spec) - SPEC_KEYS)
    if unknown:
        raise ScopeSpecError(f"unknown keys: {', '.join(unknown)}; allowed: {', '.join(sorted(SPEC_KEYS))}")
    if "scopes" not in spec:
        raise ScopeSpecError('"scopes" is required (an empty list removes every app role)')
    names = spec["scopes"]
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ScopeSpecError('"scopes" must be a list of scope names such as ["admin", "user"]')
    application = find_application(spec.get("application"))
    known = set(application.scopes.values_list("name", flat=True))
    missing = sorted(set(names) - known)
    if missing:
        raise ScopeSpecError(
            f"unknown scopes of {application.name}: {', '.join(missing)}; known: {', '.join(sorted(known)) or 'none'}"
        )
    return application, sorted(set(names))


def set_scopes(user: TenantUser, application: Application, names: list[str]) -> None:
    """Replace the user's scopes of this application; scopes of other applications stay."""
    with transaction.atomic():
        others = user.app_scopes.exclude(application=application)
        user.app_scopes.set([*others, *application.scopes.filter(name__in=names)])


def describe(user: TenantUser, application: Application) -> dict:
    return {
        "tenant": user.tenant.name,
        "email": user.email,
        "application": application.name,
        "scopes": sorted(user.app_scopes.filter(application=application).values_list("name", flat=True)),
    }
