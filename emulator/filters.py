"""Asset Management's `filter` parameter, as Siemens documents it for `GET /assets`.

Functions: `{"field": "x"}` or `{"field": {"eq": "x"}}`, `in` (`{"in": {"value": [...]}}`),
`startsWith`, `endsWith`, `contains`, and `before`/`after`/`between` (for `deleted`);
operations `not`, `or` (a list of conditions on one field, or an object of fields) and `and` (an
object of fields; several fields side by side mean the same). Fields the documentation does not
list are ignored, as it says; wildcards are not supported. Whether `contains`, `startsWith` and
`endsWith` match regardless of case is not documented: the emulator matches them regardless of
case and `eq`/`in` exactly (docs/emulator.md).
"""

from __future__ import annotations

import json

from django.db.models import Q

FIELDS = {
    "assetId": "asset_id",
    "tenantId": "tenant__name",
    "name": "name",
    "externalId": "external_id",
    "parentId": "parent_id",
    "typeId": "type_id",
    "hasType": "type_id",  # the type or any derived from it; the emulator has no type hierarchy
}
TEXT_FUNCTIONS = {"contains": "icontains", "startsWith": "istartswith", "endsWith": "iendswith"}
TIME_FUNCTIONS = {"before", "after", "between"}
NOTHING = Q(pk__in=[])
ALL = Q(pk__isnull=False)  # not Q(): Django drops an empty Q from "|", which would change an "or"


class FilterError(ValueError):
    """The filter is not valid JSON or not a valid condition (400)."""


def parse(raw: str) -> Q:
    try:
        spec = json.loads(raw)
    except ValueError:
        raise FilterError('Parameter \'filter\' must be JSON, e.g. {"name": {"contains": "pump"}}.') from None
    if not isinstance(spec, dict):
        raise FilterError("A filter is a JSON object of fields and operations.")
    return _fields(spec)


def _fields(spec: dict) -> Q:
    query = Q()
    for key, condition in spec.items():
        if key == "and":
            query &= _fields(_object(condition, "and"))
        elif key == "or":
            query &= _any(_fields({name: value}) for name, value in _object(condition, "or").items())
        elif key == "not":
            query &= ~_fields(_object(condition, "not"))
        elif key == "deleted":
            query &= _deleted(condition)
        elif key in FIELDS:
            query &= _condition(FIELDS[key], condition)
        # Other field names are ignored, as the documentation says.
    return query


def _condition(column: str, condition: object) -> Q:
    if condition is None:
        return NOTHING  # no asset has an empty id, name or type
    if isinstance(condition, (str, int, float)) and not isinstance(condition, bool):
        return Q(**{column: str(condition)})
    if not isinstance(condition, dict) or not condition:
        raise FilterError(
            f'A condition is a value or an object such as {{"contains": "pump"}}; got {json.dumps(condition)}.'
        )
    query = Q()
    for function, value in condition.items():
        if function == "eq":
            query &= _condition(column, value)
        elif function == "in":
            values = value.get("value") if isinstance(value, dict) else None
            if not isinstance(values, list):
                raise FilterError('The function "in" takes {"value": [...]}.')
            query &= Q(**{f"{column}__in": [str(item) for item in values]})
        elif function in TEXT_FUNCTIONS:
            if not isinstance(value, str):
                raise FilterError(f'The function "{function}" takes a string.')
            query &= Q(**{f"{column}__{TEXT_FUNCTIONS[function]}": value})
        elif function == "or":
            if not isinstance(value, list) or not value:
                raise FilterError('"or" on a field takes a list of conditions.')
            query &= _any(_condition(column, item) for item in value)
        elif function == "not":
            query &= ~_condition(column, value)
        elif function in TIME_FUNCTIONS:
            query &= NOTHING  # times apply to `deleted` only
        else:
            raise FilterError(f'Unknown filter function "{function}".')
    return query


def _deleted(condition: object) -> Q:
    """No asset of the emulator is deleted: `deleted` is null for all of them."""
    if condition is None or condition == {"eq": None}:
        return ALL
    return NOTHING


def _object(value: object, name: str) -> dict:
    if not isinstance(value, dict) or not value:
        raise FilterError(f'"{name}" takes an object of fields.')
    return value


def _any(queries) -> Q:
    combined = NOTHING
    for query in queries:
        combined |= query
    return combined
