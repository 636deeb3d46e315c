"""What people are told, in plain words, when sign-in or their session goes wrong (translated: locale/),
and the entries of a mapping's history, kept as codes so each reader sees them in their language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LOGIN_REQUIRED = _("Please sign in to see this page.")
FORBIDDEN = _("This page is not for your role.")
OPERATORS_ONLY = _(
    "The Django admin is for the app's operators only. Your tenant's roles are managed under Roles in the menu."
)
SIGN_IN_THROUGH_MINDSPHERE = _("Your roles come from MindSphere: sign in through MindSphere to use this page.")
SIGNED_OUT = _("Your MindSphere session has ended. Please sign in again.")
SIGNED_OUT_BY_YOU = _("You are signed out.")
SIGNED_OUT_EVERYWHERE = _("You are signed out on all your devices.")
# What the other devices say at their next page or check after "Sign out everywhere".
SIGNED_OUT_ELSEWHERE = _("You were signed out on all your devices. Please sign in again.")
UNAVAILABLE = _("MindSphere is not reachable right now. You are still signed in; please try again in a minute.")
RATE_LIMITED_TITLE = _("MindSphere asks to slow down")
RATE_LIMITED = _(
    "Your tenant has made too many requests to MindSphere. You are still signed in; please try again in {seconds} seconds."
)
TIMEOUT_TITLE = _("MindSphere is taking too long")
TIMEOUT = _("MindSphere took too long to answer. You are still signed in; please try again in a moment.")
API_ERROR = _("MindSphere answered with an error: {message} Try again, or choose something else.")
# One short text per way a call to MindSphere fails (sso.responses.failure_kind decides which):
# what happened, and what to do. RATE_LIMITED takes {seconds}, API_ERROR {message}.
FAILURES = {
    "timeout": TIMEOUT,  # no answer within MINDSPHERE_HTTP_TIMEOUT (ProviderTimeoutError)
    "outage": UNAVAILABLE,  # unreachable, or 502/503/504 (ProviderUnavailableError)
    "rate_limited": RATE_LIMITED,  # 429, the tenant's rate limit (RateLimitedError)
    "error": API_ERROR,  # any other error answer, with MindSphere's own message (MindSphereAPIError)
}
SIGNIN_CANCELLED = _("Sign-in was cancelled. Enter your tenant to try again.")
SIGNIN_STATE = _("This sign-in could not be completed because it expired or was already used. Please sign in again.")
SIGNIN_REFUSED = _("MindSphere did not accept this sign-in. Please sign in again.")
SIGNIN_INVALID_TOKEN = _(
    "MindSphere's answer could not be verified for this tenant, so you were not signed in. "
    "Check the tenant name and sign in again."
)
SIGNIN_UNAVAILABLE = _("MindSphere could not be reached, try again in a moment. You are not signed in yet.")
# The Launchpad entrance (sso.bearer): the gateway's bearer token was refused.
GATEWAY_INVALID_TOKEN = _(
    "MindSphere's sign-in for this request could not be verified (it is expired, forged, or from another "
    "tenant's sign-in service), so you are not signed in. Open the app again from the MindSphere Launchpad."
)
GATEWAY_OTHER_APP = _(
    "This sign-in is for another MindSphere app, so it does not open this one. "
    "Open this app from the MindSphere Launchpad, or ask your administrator for a role of it."
)
UNKNOWN_TENANT = _("We could not find the tenant {tenant}. Check the name and try again.")

# --- A mapping's history (sso.models.MappingChange.changes): a code of MAPPING_CHANGES and its values ---
MAPPING_CHANGES = {
    "role": _("{scope}: {before} → {after}"),  # a tenant admin's save or reset, per scope that changed
    "own_defaults": _("saved the app's defaults as this tenant's own mapping"),
    "reset": _("reset to the app's defaults"),
    "added": _("{scope}: added as {role}"),  # the operators' edits of the app-wide defaults
    "changed": _("{scope}: changed to {role}"),
    "removed": _("{scope}: removed"),
}
NO_ROLE = _("no role")


def mapping_change(code: str, **values: str) -> dict:
    """One entry of a mapping's history: `code` (a key of MAPPING_CHANGES) and its values."""
    return {"code": code, "values": values}


def describe_mapping_change(entry: dict) -> str:
    """The entry in the active language; an empty role reads "no role"."""
    values = entry.get("values", {})
    text = MAPPING_CHANGES.get(entry.get("code", ""))
    if text is None:  # a line that could not be read as a code when the history became codes
        return values.get("text", "")
    shown = {**values, **{key: values[key] or str(NO_ROLE) for key in ("before", "after") if key in values}}
    return str(text).format(**shown)
