"""`{{ value|moment }}`: a moment a person reads, in their language's format and their time zone."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter(expects_localtime=True)
def moment(value: datetime | None) -> str:
    """ "Tue 1 Dec 14:05 CET" / "Di., 1. Dez. 14:05 CET": SHORT_DATETIME_FORMAT and the zone's abbreviation.

    One filter, because a `blocktranslate ... with time=...` takes one filter chain, and every such
    moment in a sentence needs both parts.
    """
    if not value:
        return ""
    return f"{date_format(value, 'SHORT_DATETIME_FORMAT')} {date_format(value, 'T')}"
