"""The app's settings with the bench's URLconf (two reference views next to the app's URLs)."""

from __future__ import annotations

from project.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"
