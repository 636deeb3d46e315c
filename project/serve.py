"""`make serve`'s and `make run`'s process manager: honcho, with time for a graceful stop.

honcho runs the processes of Procfile.serve (Procfile.dev) and stops them all on SIGINT/SIGTERM,
but sends SIGKILL 5 s after SIGTERM: too soon for gunicorn to drain requests that wait on MindSphere
(graceful_timeout 30 s, project/gunicorn.py) or for a Celery worker to finish its task (warm
shutdown; on a busy machine even an idle one can take longer). honcho has no option for it, so this
sets its wait and then runs its command line.
"""

from __future__ import annotations

import sys

import honcho.manager
from honcho.command import main

GRACE_SECONDS = 40

if __name__ == "__main__":
    honcho.manager.KILL_WAIT = GRACE_SECONDS
    sys.exit(main(["start", *sys.argv[1:]]))
