"""Token housekeeping, run by Celery beat."""
from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from .models import TokenRecord

logger = logging.getLogger(__name__)


@shared_task
def delete_expired_token_records() -> int:
    """Delete token records whose refresh expiry has passed, and the sessions they belonged to."""
    expired = TokenRecord.objects.filter(refresh_expires_at__lte=timezone.now())
    keys = list(expired.values_list("session_key", flat=True))
    count, _ = expired.delete()
    Session.objects.filter(session_key__in=keys).delete()
    if count:
        logger.info("Deleted %s expired MindSphere token records", count)
    return count
