"""Counting grants by tenant, for /_emulator/stats."""

from __future__ import annotations

from django.db.models import Count

from .models import GrantEvent


def record(tenant: str, kind: str) -> None:
    GrantEvent.objects.create(tenant=tenant, kind=kind)


def snapshot() -> dict:
    """{"tenants": {tenant: {kind: n}}, "total": {kind: n}}, every kind present, zeros included."""
    kinds = [kind.value for kind in GrantEvent.Kind]
    tenants: dict[str, dict[str, int]] = {}
    total = dict.fromkeys(kinds, 0)
    for row in GrantEvent.objects.values("tenant", "kind").annotate(n=Count("id")):
        tenants.setdefault(row["tenant"], dict.fromkeys(kinds, 0))[row["kind"]] = row["n"]
        total[row["kind"]] += row["n"]
    return {"tenants": tenants, "total": total}


def reset() -> None:
    GrantEvent.objects.all().delete()
