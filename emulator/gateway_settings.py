"""Settings of the emulated gateway: the emulator's, with its own URLconf and no middleware.

The gateway shares the emulator's database (tenants, people, app registrations, its sessions) and
its variables (emulator/settings.py, "The emulated MindSphere gateway"). Run it with
`python -m emulator gateway [address:port]`.
"""

from __future__ import annotations

import os

from .settings import *  # noqa: F403
from .settings import ALLOWED_HOSTS, EMULATOR_URL, TEMPLATES

ROOT_URLCONF = "emulator.gateway_urls"
# No admin, messages or static files here; and no middleware: the gateway handles its own session
# and headers, and every other answer is the app's, passed on unchanged.
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "emulator"]
MIDDLEWARE = list[str]()
TEMPLATES = [{**TEMPLATES[0], "OPTIONS": {"context_processors": ["django.template.context_processors.request"]}}]
# {tenant}.localhost selects a tenant, as MindSphere's per-tenant host names do.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, ".localhost"]

if EMULATOR_URL.startswith("http://"):
    # oauthlib refuses plain http; the emulator speaks it on loopback.
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
