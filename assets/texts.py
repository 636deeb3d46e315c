"""What an export says about itself, kept as a code and its values so each person reads it in their language.

The worker has no person and no language: it stores the code (and the English text, for the
admin and the logs); the page translates the code when it shows the export.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

EXPORT_MESSAGES = {
    "signed_out": _("Your MindSphere session ended before the export finished. Sign in again and start it again."),
    "file_name": _("The export file could not be saved under this asset's names. Ask your administrator."),
    "mindsphere_error": _("MindSphere answered an error: {message}"),
    "unreachable": _("MindSphere was not reachable. Try the export again later."),
    "rate_limited_retry": _("MindSphere asks to slow down (too many requests for your tenant); retrying in {delay} s."),
    "unreachable_retry": _("MindSphere is not reachable; retrying in {delay} s."),
    "timeout_retry": _("MindSphere took too long to answer; retrying in {delay} s."),
}


def export_message(code: str, values: dict | None = None) -> str:
    """The message `code` with its values, in the active language ("" for no or an unknown code)."""
    text = EXPORT_MESSAGES.get(code)
    return str(text).format(**(values or {})) if text is not None else ""


def english(code: str, values: dict | None = None) -> str:
    with translation.override("en"):
        return export_message(code, values)
