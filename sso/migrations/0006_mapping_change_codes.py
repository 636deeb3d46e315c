"""A mapping's history as codes and values (sso.texts.MAPPING_CHANGES), no longer as English sentences.

The English forms are written out here, not imported, so the migration keeps reading the rows it
was written for whatever sso.texts becomes.
"""

from __future__ import annotations

import re

from django.db import migrations, models

ENGLISH = {
    "role": "{scope}: {before} → {after}",
    "own_defaults": "saved the app's defaults as this tenant's own mapping",
    "reset": "reset to the app's defaults",
    "added": "{scope}: added as {role}",
    "changed": "{scope}: changed to {role}",
    "removed": "{scope}: removed",
}
NO_ROLE = "no role"
SCOPE = r"(?P<scope>[a-z0-9][a-z0-9_-]*)"  # sso.models.scope_validator
PATTERNS = [
    ("own_defaults", re.compile(re.escape(ENGLISH["own_defaults"]))),
    ("reset", re.compile(re.escape(ENGLISH["reset"]))),
    ("changed", re.compile(SCOPE + r": changed to (?P<role>.+)")),
    ("added", re.compile(SCOPE + r": added as (?P<role>.+)")),
    ("removed", re.compile(SCOPE + r": removed")),
    ("role", re.compile(SCOPE + r": (?P<before>.+) → (?P<after>.+)")),
]


def as_code(line: str) -> dict:
    """One English line as a code and its values; a line of no known form is kept as it was."""
    for code, pattern in PATTERNS:
        match = pattern.fullmatch(line)
        if match:
            values = match.groupdict()
            for key in ("before", "after"):
                if values.get(key) == NO_ROLE:
                    values[key] = ""
            return {"code": code, "values": values}
    return {"code": "text", "values": {"text": line}}


def as_english(entry: dict) -> str:
    values = entry.get("values", {})
    if entry.get("code") not in ENGLISH:
        return values.get("text", "")
    shown = {**values, **{key: values[key] or NO_ROLE for key in ("before", "after") if key in values}}
    return ENGLISH[entry["code"]].format(**shown)


def _convert(apps, convert) -> None:
    MappingChange = apps.get_model("sso", "MappingChange")
    for change in MappingChange.objects.all():
        change.changes = [convert(item) for item in change.changes]
        change.save(update_fields=["changes"])


def forwards(apps, schema_editor) -> None:
    _convert(apps, lambda item: item if isinstance(item, dict) else as_code(item))


def backwards(apps, schema_editor) -> None:
    _convert(apps, lambda item: as_english(item) if isinstance(item, dict) else item)


class Migration(migrations.Migration):
    dependencies = [("sso", "0005_mapping_versions")]

    operations = [
        migrations.AlterField(
            model_name="mappingchange",
            name="changes",
            field=models.JSONField(
                default=list,
                help_text="Codes of sso.texts.MAPPING_CHANGES with their values, e.g. "
                '[{"code": "role", "values": {"scope": "user", "before": "User", "after": "Admin"}}].',
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
