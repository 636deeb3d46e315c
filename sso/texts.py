"""What people are told, in plain words, when sign-in or their session goes wrong (translated: locale/)."""
from django.utils.translation import gettext_lazy as _

LOGIN_REQUIRED = _("Please sign in to see this page.")
FORBIDDEN = _("This page is not for your role.")
OPERATORS_ONLY = _("The Django admin is for the app's operators only. Your tenant's roles are managed under Roles in the menu.")
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
SIGNIN_CANCELLED = _("Sign-in was cancelled. Enter your tenant to try again.")
SIGNIN_STATE = _("This sign-in could not be completed because it expired or was already used. Please sign in again.")
SIGNIN_REFUSED = _("MindSphere did not accept this sign-in. Please sign in again.")
SIGNIN_INVALID_TOKEN = _(
    "MindSphere's answer could not be verified for this tenant, so you were not signed in. "
    "Check the tenant name and sign in again."
)
SIGNIN_UNAVAILABLE = _("MindSphere could not be reached, try again in a moment. You are not signed in yet.")
UNKNOWN_TENANT = _("We could not find the tenant {tenant}. Check the name and try again.")
