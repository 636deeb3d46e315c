"""The data migrations of the mapping history: numbering (sso 0005) and English lines to codes (sso 0006)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from sso.texts import mapping_change


@pytest.fixture
def migrate(transactional_db, django_db_serialized_rollback):
    """Migrates sso to a given migration and answers its historical models; back to the latest afterwards."""

    def to(name: str):
        MigrationExecutor(connection).migrate([("sso", name)])
        return MigrationExecutor(connection).loader.project_state([("sso", name)]).apps

    yield to
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_changes_made_before_versions_are_numbered_per_tenant_in_the_order_they_were_made(migrate):
    old = migrate("0004_operators").get_model("sso", "MappingChange")
    for tenant in ["acme", "", "acme", "globex", "acme", ""]:  # "": the app-wide defaults
        old.objects.create(tenant=tenant, changed_by="admin@acme.example", changes=["user: User → Admin"])

    migrate("0005_mapping_versions")

    from sso.models import MappingChange

    rows = list(MappingChange.objects.order_by("pk").values_list("tenant", "number"))
    assert rows == [("acme", 1), ("", 1), ("acme", 2), ("globex", 1), ("acme", 3), ("", 2)]
    assert MappingChange.latest_number("acme") == 3
    assert MappingChange.record("acme", "admin@acme.example", [mapping_change("reset")]).number == 4
    with pytest.raises(IntegrityError):  # a save made from version 0 of globex's mapping: version 1 is taken
        MappingChange.record("globex", "admin@globex.example", [mapping_change("reset")], after=0)


ENGLISH_LINES = [  # every line the app wrote before 0006, and one it never wrote
    "reset to the app's defaults",
    "saved the app's defaults as this tenant's own mapping",
    "user: User → Admin",
    "user: no role → User",
    "field-service: Field Service → no role",
    "user: changed to Viewers",
    "admin: added as Admin",
    "viewer: removed",
    "something else entirely",
]
CODES = [
    mapping_change("reset"),
    mapping_change("own_defaults"),
    mapping_change("role", scope="user", before="User", after="Admin"),
    mapping_change("role", scope="user", before="", after="User"),
    mapping_change("role", scope="field-service", before="Field Service", after=""),
    mapping_change("changed", scope="user", role="Viewers"),
    mapping_change("added", scope="admin", role="Admin"),
    mapping_change("removed", scope="viewer"),
    {"code": "text", "values": {"text": "something else entirely"}},
]


def test_english_history_lines_become_codes_and_read_in_each_language(migrate):
    old = migrate("0005_mapping_versions").get_model("sso", "MappingChange")
    old.objects.create(tenant="acme", changed_by="admin@acme.example", changes=ENGLISH_LINES, number=1)

    migrate("0006_mapping_change_codes")

    from sso.models import MappingChange

    change = MappingChange.objects.get()
    assert change.changes == CODES
    assert change.described == ENGLISH_LINES
    with translation.override("de"):
        assert change.described[:4] == [
            "auf die Standardwerte der App zurückgesetzt",
            "die Standardwerte der App als eigene Zuordnung des Tenants gespeichert",
            "user: User → Admin",
            "user: keine Rolle → User",
        ]


def test_going_back_writes_the_english_lines_again(migrate):
    migrate("0006_mapping_change_codes")
    from sso.models import MappingChange

    MappingChange.record("acme", "admin@acme.example", CODES)

    old = migrate("0005_mapping_versions").get_model("sso", "MappingChange")
    assert old.objects.get().changes == ENGLISH_LINES
