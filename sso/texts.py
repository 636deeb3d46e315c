"""What people are told, in plain words, when sign-in or their session goes wrong."""

LOGIN_REQUIRED = "Please sign in to see this page."
FORBIDDEN = "This page is not for your role."
OPERATORS_ONLY = "The Django admin is for the app's operators only. Your tenant's roles are managed under Roles in the menu."
SIGNED_OUT = "Your MindSphere session has ended. Please sign in again."
SIGNED_OUT_BY_YOU = "You are signed out."
SIGNED_OUT_EVERYWHERE = "You are signed out on all your devices."
UNAVAILABLE = "MindSphere is not reachable right now. You are still signed in; please try again in a minute."
SIGNIN_CANCELLED = "Sign-in was cancelled. Enter your tenant to try again."
SIGNIN_STATE = "This sign-in could not be completed because it expired or was already used. Please sign in again."
SIGNIN_REFUSED = "MindSphere did not accept this sign-in. Please sign in again."
SIGNIN_INVALID_TOKEN = (
    "MindSphere's answer could not be verified for this tenant, so you were not signed in. "
    "Check the tenant name and sign in again."
)
SIGNIN_UNAVAILABLE = "MindSphere could not be reached, try again in a moment. You are not signed in yet."
UNKNOWN_TENANT = "We could not find the tenant {tenant}. Check the name and try again."
