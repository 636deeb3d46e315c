"""Token housekeeping, run by Celery beat."""

from __future__ import annotations

import logging
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import TokenRecord

logger = logging.getLogger(__name__)


@shared_task
def delete_expired_token_records() -> int:
    """Delete token records whose refresh expiry has passed (their sessions go with them, sso.receivers)."""
    count, _ = TokenRecord.objects.filter(refresh_expires_at__lte=timezone.now()).delete()
    if count:
        logger.info("Deleted %s expired MindSphere token records", count)
    return count


@shared_task
def clear_expired_sessions() -> None:
    """`manage.py clearsessions`: expired sessions, among them those of sign-ins never finished."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
