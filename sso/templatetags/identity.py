"""Template filters for showing people's identities on a narrow screen."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def wrappable(email: object) -> SafeString:
    """An e-mail address that a narrow line breaks after its "@" and before the dots of its
    domain ("norole@" / "acme.example"), never inside a word; escaped, with <wbr> tags."""
    text = escape(str(email or ""))
    local, at, domain = text.rpartition("@")
    if not at:
        return mark_safe(text)
    return mark_safe(f"{local}@<wbr>{domain.replace('.', '<wbr>.')}")
