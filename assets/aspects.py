"""What the asset pages read from Asset Management's aspects (`GET /assets/{id}/aspects`).

Time-series ("dynamic") aspects define the variables that can be charted and exported, with their
unit and whether they carry a quality code; static aspects hold values (the asset's `aspects`
field, shown with its details).
"""

from __future__ import annotations

import re
from itertools import groupby

from .series import Variable

# Data types a chart can draw (Asset Management's VariableDefinition.dataType).
NUMERIC = {"DOUBLE", "INT", "LONG"}


def _dynamic(aspects: list[dict]) -> list[dict]:
    # "category" is always given by the API; an aspect without one is taken as a time series.
    return [
        aspect
        for aspect in aspects
        if isinstance(aspect, dict) and aspect.get("name") and aspect.get("category", "dynamic") == "dynamic"
    ]


def chart_variables(aspects: list[dict]) -> list[Variable]:
    """The numeric variables of the time-series aspects, as `aspect.variable`, in the API's order."""
    found = []
    for aspect in _dynamic(aspects):
        for variable in aspect.get("variables") or []:
            if variable.get("name") and (variable.get("dataType") or "DOUBLE") in NUMERIC:
                found.append(
                    Variable(
                        aspect["name"], variable["name"], variable.get("unit") or "", bool(variable.get("qualityCode"))
                    )
                )
    return found


def readable(name: str) -> str:
    """A MindSphere name as words, for a person: "PumpData" → "Pump data", "flow_rate" → "Flow rate".

    Only case and separators change (an acronym such as "RPM" stays), so the name is still recognised.
    """
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name.replace("_", " ").replace("-", " ")).split()
    if not words:
        return name
    rest = [word if word.isupper() else word.lower() for word in words[1:]]
    return " ".join([words[0][:1].upper() + words[0][1:], *rest])


def variable_groups(variables: list[Variable]) -> list[tuple[str, list[Variable]]]:
    """The variables by aspect (property set), in the API's order: (the aspect's readable name, its variables)."""
    return [(readable(aspect), list(group)) for aspect, group in groupby(variables, key=lambda v: v.property_set)]


def export_columns(aspects: list[dict]) -> dict[str, list[str]]:
    """Per time-series aspect, the columns of its CSV: every variable, and `{variable}_qc` after those with a quality code."""
    columns = {}
    for aspect in _dynamic(aspects):
        names: list[str] = []
        for variable in aspect.get("variables") or []:
            if variable.get("name"):
                names.append(variable["name"])
                if variable.get("qualityCode"):
                    names.append(f"{variable['name']}_qc")
        columns[aspect["name"]] = names
    return columns


def static_values(asset: dict) -> list[tuple[str, str]]:
    """("aspect.variable", value) of the asset's static aspects, for its details."""
    return [
        (f"{aspect['name']}.{variable['name']}", str(variable.get("value")))
        for aspect in asset.get("aspects") or []
        if isinstance(aspect, dict) and aspect.get("name")
        for variable in aspect.get("variables") or []
        if isinstance(variable, dict) and variable.get("name") and variable.get("value") is not None
    ]
