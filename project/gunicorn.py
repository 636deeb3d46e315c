"""gunicorn's configuration for `make serve` and Cloud Foundry (`gunicorn -c project/gunicorn.py project.wsgi`)."""

from __future__ import annotations

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT') or os.environ.get('APP_PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# More than 1: each worker serves that many requests at once in threads (gunicorn's gthread worker),
# so requests waiting on MindSphere or PostgreSQL do not hold a whole process (docs/performance.md).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# SIGTERM: stop accepting, let running requests finish for up to this long (a refresh may wait on
# MindSphere for MINDSPHERE_HTTP_TIMEOUT), then stop.
graceful_timeout = 30
timeout = 60
accesslog = "-"
# The path without the query string: the sign-in callback's `code` and `state` never reach the log.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
