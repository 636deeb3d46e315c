"""The Celery app, wired to Django the standard way: settings under CELERY_*, tasks autodiscovered."""
from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

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
