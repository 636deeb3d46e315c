"""`python -m emulator seed_people`: many people at once for the load test, who can sign in."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

from tests.servers import ROOT, emulator_env


def seed_people(database, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "emulator", "seed_people", *args]
    return subprocess.run(command, cwd=ROOT, env=emulator_env(database), capture_output=True, text=True, check=False)


def test_people_in_both_tenants_with_their_scopes_once(emulator_template, tmp_path):
    database = tmp_path / "emulator.sqlite3"
    shutil.copyfile(emulator_template, database)
    assert seed_people(database, "--count", "6").stdout.strip() == "6 people created, 0 already there."
    assert seed_people(database, "--count", "8").stdout.strip() == "2 people created, 6 already there."
    with sqlite3.connect(database) as db:
        people = db.execute(
            "SELECT t.name, u.email, COUNT(s.id) FROM emulator_tenantuser u JOIN emulator_tenant t ON t.id = u.tenant_id"
            " LEFT JOIN emulator_tenantuser_app_scopes s ON s.tenantuser_id = u.id"
            " WHERE u.email LIKE 'load-%' GROUP BY u.id ORDER BY u.email"
        ).fetchall()
    assert [(tenant, email) for tenant, email, _ in people][:2] == [
        ("acme", "load-0@acme.example"),
        ("globex", "load-1@globex.example"),
    ]
    assert len(people) == 8 and {tenant for tenant, _, _ in people} == {"acme", "globex"}
    assert sorted(scopes for _, _, scopes in people) == [1, 1, 1, 1, 2, 2, 2, 2]  # half admins (both scopes)


def test_a_negative_count_is_refused(emulator_template, tmp_path):
    database = tmp_path / "emulator.sqlite3"
    shutil.copyfile(emulator_template, database)
    result = seed_people(database, "--count", "-1")
    assert result.returncode != 0 and "--count must be 0 or more" in result.stderr
