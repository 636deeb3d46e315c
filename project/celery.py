"""The Celery app, wired to Django the standard way: settings under CELERY_*, tasks autodiscovered."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def make_folders(sender: Celery, source, **kwargs) -> None:
    """The folders Celery writes to on this machine, made when a process first reads Celery's settings.

    That is the web process queueing a task or answering /readyz, the worker and beat, and not any
    process that merely imports the settings (manage.py check, the tests' subprocesses).
    """
    if str(source.broker_url).startswith("filesystem://"):
        options = source.broker_transport_options
        for folder in (options["data_folder_in"], options["data_folder_out"], options["control_folder"]):
            Path(folder).mkdir(parents=True, exist_ok=True)
    Path(source.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)


@beat_init.connect
def first_fleet_overviews(sender, **kwargs) -> None:
    """When beat starts, the fleet overviews that are due run at once (beat's own first tick would come
    one schedule interval later), so `make run` shows them within a minute (fleet.tasks)."""
    sender.app.send_task("fleet.tasks.refresh_due_overviews")
