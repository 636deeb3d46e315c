"""Aspects as Asset Management v3 has them: static aspects hold values, dynamic ones time series.

An asset's `aspects` (the model field) are the definitions, as its asset type and aspect types give
them: `{"name", "category": "dynamic"|"static", "aspectTypeId"?, "description"?, "samplingSeconds"?,
"variables": [{"name", "unit"?, "dataType"?, "qualityCode"?, "length"?, "searchable"?,
"defaultValue"?, "value"?}]}`. The gateway shows them in two places, as the real API does:

- the asset's `aspects` field: the static aspects with their values, `{name, variables: [{name, value}]}`;
- `GET /assets/{id}/aspects`: every aspect with its definition (AspectResource: name, holderAssetId,
  aspectTypeId, category, description, variables with dataType, unit, searchable, length,
  qualityCode, defaultValue).

`samplingSeconds` (default 60) is the emulator's own: how often the dynamic aspect records.
"""

from __future__ import annotations

from datetime import timedelta

DYNAMIC, STATIC = "dynamic", "static"
DATA_TYPES = {"BOOLEAN", "INT", "LONG", "DOUBLE", "STRING", "TIMESTAMP", "BIG_STRING"}
VARIABLE_KEYS = {"name", "unit", "dataType", "qualityCode", "length", "searchable", "defaultValue", "value"}
ASPECT_KEYS = {"name", "category", "aspectTypeId", "description", "samplingSeconds", "variables"}


def category(aspect: dict) -> str:
    return aspect.get("category") or DYNAMIC


def step(aspect: dict) -> timedelta:
    """How far apart the dynamic aspect's records are."""
    return timedelta(seconds=aspect.get("samplingSeconds") or 60)


def variable_names(aspect: dict) -> list[str]:
    return [variable["name"] for variable in aspect.get("variables", [])]


def with_quality(aspect: dict) -> set[str]:
    """The variables that carry a quality code (`{variable}_qc` in their records)."""
    return {variable["name"] for variable in aspect.get("variables", []) if variable.get("qualityCode")}


def static_values(aspects: list[dict]) -> list[dict]:
    """The asset's `aspects` field: static aspects and their values (strings, as the API sends them)."""
    return [
        {
            "name": aspect["name"],
            "variables": [
                {"name": variable["name"], "value": _text(variable.get("value", variable.get("defaultValue")))}
                for variable in aspect.get("variables", [])
            ],
        }
        for aspect in aspects
        if category(aspect) == STATIC
    ]


def resource(aspect: dict, asset_id: str, tenant: str, asset_href: str) -> dict:
    """One AspectResource of `GET /assets/{id}/aspects`."""
    type_id = aspect.get("aspectTypeId") or f"{tenant}.{aspect['name']}"
    return {
        "name": aspect["name"],
        "holderAssetId": asset_id,
        "aspectTypeId": type_id,
        "category": category(aspect),
        "description": aspect.get("description", ""),
        "variables": [_definition(variable) for variable in aspect.get("variables", [])],
        "_links": {"self": {"href": f"{asset_href}/aspects/{aspect['name']}"}, "asset": {"href": asset_href}},
    }


def _definition(variable: dict) -> dict:
    data_type = variable.get("dataType") or "DOUBLE"
    return {
        "name": variable["name"],
        "dataType": data_type,
        "unit": variable.get("unit", ""),
        "searchable": bool(variable.get("searchable", False)),
        "length": variable.get("length") if data_type in ("STRING", "BIG_STRING") else None,
        "qualityCode": bool(variable.get("qualityCode", False)),
        "defaultValue": _text(variable.get("defaultValue")),
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def check(value: object) -> list[dict]:
    """`value` if it is a list of aspect definitions as above, else ValueError saying what is wrong."""
    if not isinstance(value, list):
        raise ValueError("must be a list")
    for aspect in value:
        if not isinstance(aspect, dict) or set(aspect) - ASPECT_KEYS or not isinstance(aspect.get("name"), str):
            raise ValueError(
                f"each aspect is an object with keys among {', '.join(sorted(ASPECT_KEYS))} and a string name"
            )
        if category(aspect) not in (DYNAMIC, STATIC):
            raise ValueError("category is 'dynamic' or 'static'")
        seconds = aspect.get("samplingSeconds", 60)
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= 3600:
            raise ValueError("samplingSeconds is a whole number from 1 to 3600")
        variables = aspect.get("variables", [])
        if not isinstance(variables, list):
            raise ValueError("variables must be a list")
        for variable in variables:
            if (
                not isinstance(variable, dict)
                or set(variable) - VARIABLE_KEYS
                or not isinstance(variable.get("name"), str)
            ):
                raise ValueError(
                    f"each variable is an object with keys among {', '.join(sorted(VARIABLE_KEYS))} and a string name"
                )
            if not isinstance(variable.get("unit", ""), str) or variable.get("dataType", "DOUBLE") not in DATA_TYPES:
                raise ValueError(
                    "a variable's unit is a string and its dataType one of " + ", ".join(sorted(DATA_TYPES))
                )
    return value
