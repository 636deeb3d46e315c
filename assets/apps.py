from __future__ import annotations

from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = "MindSphere assets"
