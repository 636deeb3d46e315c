"""What can go wrong with a person's MindSphere tokens, one exception per failure.

The outage and rate-limit errors (ProviderUnavailableError, RateLimitedError) are the gateway
client's too, so they live in mindsphere.exceptions with the gateway's MindSphereAPIError.
"""

from __future__ import annotations

import enum

# ProviderUnavailableError and RateLimitedError moved to mindsphere.exceptions: re-exported for old imports.
from mindsphere.exceptions import MindSphereError, ProviderUnavailableError, RateLimitedError  # noqa: F401


class TokenVerificationError(MindSphereError):
    """An access token failed validation (signature, issuer, tenant, client, claims, time)."""


class ForeignTokenError(TokenVerificationError):
    """A valid MindSphere token, but of another app: it carries none of this app's scopes."""


class SignedOutError(MindSphereError):
    """The person's MindSphere session is over: refresh expired, rejected, or no token record."""


class SignInFailure(enum.StrEnum):
    """Why the provider gave up a sign-in: the text of the allauth ProviderException it raises,
    which sso.adapter turns into what the person reads."""

    UNAVAILABLE = "unavailable"  # MindSphere could not be reached: texts.SIGNIN_UNAVAILABLE
    INVALID_TOKEN = "invalid_token"  # the access token failed verification: texts.SIGNIN_INVALID_TOKEN
