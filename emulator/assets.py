"""Adding or replacing an asset for /_emulator/assets, as someone would in Asset Manager.

Tests use it for data the demo seed has not got: odd asset ids, property-set and variable names.
"""

from __future__ import annotations

from django.db import transaction

from . import aspects as aspect_definitions
from .models import Asset, Tenant

SPEC_KEYS = {"tenant", "assetId", "name", "externalId", "typeId", "description", "aspects", "silentSeconds"}
LONGEST = {"assetId": 32, "name": 128, "typeId": 128, "externalId": 255}
LONGEST_SILENCE = 10 * 365 * 24 * 3600  # ten years without a record is as silent as it gets


class AssetSpecError(ValueError):
    """The request body is not a valid asset."""


def parse(spec: object) -> dict:
    """The model fields of {"tenant", "assetId", "name", "aspects"?, "externalId"?, "silentSeconds"?, …}."""
    if not isinstance(spec, dict):
        raise AssetSpecError('the body must be a JSON object such as {"tenant": "acme", "assetId": "…", "name": "…"}')
    unknown = sorted(set(spec) - SPEC_KEYS)
    if unknown:
        raise AssetSpecError(f"unknown keys: {', '.join(unknown)}; allowed: {', '.join(sorted(SPEC_KEYS))}")
    for key in ("tenant", "assetId", "name"):
        if not isinstance(spec.get(key), str) or not spec[key]:
            raise AssetSpecError(f'"{key}" is required and must be a non-empty string')
    for key in ("externalId", "typeId", "description"):
        if not isinstance(spec.get(key, ""), str):
            raise AssetSpecError(f'"{key}" must be a string')
    for key, longest in LONGEST.items():
        if len(spec.get(key, "")) > longest:
            raise AssetSpecError(f'"{key}" is longer than {longest} characters')
    tenant = Tenant.objects.filter(name=spec["tenant"]).first()
    if tenant is None:
        raise AssetSpecError(f"there is no tenant '{spec['tenant']}'")
    return {
        "asset_id": spec["assetId"],
        "tenant": tenant,
        "name": spec["name"],
        "external_id": spec.get("externalId", ""),
        "type_id": spec.get("typeId", ""),
        "description": spec.get("description", ""),
        "aspects": _aspects(spec.get("aspects", [])),
        "silent_seconds": _silence(spec.get("silentSeconds", 0)),
    }


def _silence(value: object) -> int:
    """How long before now the asset has no records (it stopped reporting); 0: it reports."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LONGEST_SILENCE:
        raise AssetSpecError(f'"silentSeconds" must be a whole number from 0 to {LONGEST_SILENCE}')
    return value


def _aspects(value: object) -> list[dict]:
    """Aspect definitions as emulator.aspects describes them (dynamic unless `"category": "static"`)."""
    try:
        return aspect_definitions.check(value)
    except ValueError as problem:
        raise AssetSpecError(f'"aspects" must be a list of aspect definitions: {problem}') from None


@transaction.atomic
def put(fields: dict) -> Asset:
    """Create the asset, or replace the one with this id (its etag goes up, as MindSphere's does)."""
    asset = Asset.objects.filter(asset_id=fields["asset_id"]).first()
    if asset is None:
        return Asset.objects.create(**fields)
    for name, value in fields.items():
        setattr(asset, name, value)
    asset.etag += 1
    asset.save()
    return asset
