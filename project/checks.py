"""Deployment checks (ids project.E001...; see docs/deploying.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

MIN_LENGTH, MIN_UNIQUE = 50, 5  # as Django's security.W009


@register()
def check_secret_key(app_configs=None, **kwargs) -> list[Error]:
    """E001: with DEBUG off, SECRET_KEY must be set, and strong (it also encrypts stored tokens)."""
    if settings.DEBUG:
        return []
    key = settings.SECRET_KEY
    weak = len(key) < MIN_LENGTH or len(set(key)) < MIN_UNIQUE or key.startswith("django-insecure")
    if key == getattr(settings, "DEVELOPMENT_SECRET_KEY", None) or weak:
        return [
            Error(
                "SECRET_KEY is the development default or weak, and DEBUG is off.",
                hint="Set SECRET_KEY to a random value of 50 or more characters, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="project.E001",
            )
        ]
    return []
