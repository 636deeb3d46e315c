"""The data migration that numbers the mapping changes made before versions were numbered (sso 0005)."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("sso", "0004_operators")]
AFTER = [("sso", "0005_mapping_versions")]


@pytest.fixture
def executor(transactional_db, django_db_serialized_rollback):
    """The database migrated back to before 0005; migrated forward to the latest again afterwards."""
    MigrationExecutor(connection).migrate(BEFORE)
    yield MigrationExecutor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_changes_made_before_versions_are_numbered_per_tenant_in_the_order_they_were_made(executor):
    old = executor(connection).loader.project_state(BEFORE).apps.get_model("sso", "MappingChange")
    for tenant in ["acme", "", "acme", "globex", "acme", ""]:  # "": the app-wide defaults
        old.objects.create(tenant=tenant, changed_by="admin@acme.example", changes=["user: User → Admin"])

    executor(connection).migrate(AFTER)

    from sso.models import MappingChange

    rows = list(MappingChange.objects.order_by("pk").values_list("tenant", "number"))
    assert rows == [("acme", 1), ("", 1), ("acme", 2), ("globex", 1), ("acme", 3), ("", 2)]
    assert MappingChange.latest_number("acme") == 3
    assert MappingChange.record("acme", "admin@acme.example", ["reset"]).number == 4
    with pytest.raises(IntegrityError):  # a save made from version 0 of globex's mapping: version 1 is taken
        MappingChange.record("globex", "admin@globex.example", ["reset"], after=0)
