"""The fleet overview in the background: beat asks every 30 s which tenants are due, one task per tenant runs.

`refresh_due_overviews` (beat, and once when beat starts: project/celery.py) claims the due
tenants and queues `refresh_overview` for each; separate tasks, so one tenant's failure or slowness
never holds up another's, and any number of workers share them. A tenant admin's "refresh now"
queues `refresh_overview` directly. What a run does and records: fleet.runs, docs/fleet.md.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_shutting_down

from . import runs


@shared_task
def refresh_due_overviews() -> int:
    """Queue a run for every tenant whose overview is due; how many."""
    tenants = runs.claim_due_tenants()
    for tenant in tenants:
        refresh_overview.delay(tenant)
    return len(tenants)


@shared_task
def refresh_overview(tenant: str) -> str:
    """Compute one tenant's overview (fleet.runs.refresh): "done", "failed" (recorded) or "busy"."""
    return runs.refresh(tenant)


@worker_shutting_down.connect
def _note_stopping(**kwargs) -> None:
    runs.worker_stopping.set()
