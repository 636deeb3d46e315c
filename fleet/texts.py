"""Why a fleet overview could not be computed, kept as a code so each person reads it in their language.

The worker has no person and no language: it stores the code (and MindSphere's own words, which
stay untranslated); the page translates the code when it shows the overview.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

FAILURES = {
    "credentials_refused": _("MindSphere refused the app's own credentials. Its operators need to check them."),
    "not_permitted": _(
        "MindSphere gives the app no access to this tenant's data: the tenant may not have the app, "
        "or the app's credentials are for another version."
    ),
    "rate_limited": _(
        "MindSphere asked the app to slow down (too many requests for this tenant); it tries again soon."
    ),
    "unreachable": _("MindSphere was not reachable; the app tries again soon."),
    "mindsphere_error": _("MindSphere answered an error."),
    "unexpected": _("Something went wrong in the app; its operators find the details in the worker's log."),
}


def failure_message(code: str) -> str:
    """The failure `code` in the active language ("" for no or an unknown code)."""
    text = FAILURES.get(code)
    return str(text) if text is not None else ""
