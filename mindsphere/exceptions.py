"""What can go wrong when calling MindSphere: an outage, its rate limit, or an error it answered."""

from __future__ import annotations


class MindSphereError(Exception):
    """Base class of the errors about MindSphere (this package's, and sign-in's in sso.exceptions)."""


class ProviderUnavailableError(MindSphereError):
    """MindSphere could not be reached or answered 5xx/429; the session is kept, try again later."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @classmethod
    def from_response(cls, response, what: str) -> ProviderUnavailableError:
        """From a 5xx or 429 answer of `what`, keeping its Retry-After seconds if it gave them.

        A 429 (MindSphere's per-tenant rate limit) becomes a RateLimitedError.
        """
        retry_after = response.headers.get("Retry-After", "")
        kind = RateLimitedError if response.status_code == 429 else cls
        return kind(
            f"{what} answered {response.status_code}", retry_after=int(retry_after) if retry_after.isdigit() else None
        )


class RateLimitedError(ProviderUnavailableError):
    """MindSphere answered 429: the tenant's rate limit is reached; wait `retry_after` seconds."""


class ProviderTimeoutError(ProviderUnavailableError):
    """MindSphere did not answer within MINDSPHERE_HTTP_TIMEOUT: it may be busy, not down; try again soon."""


class MindSphereAPIError(MindSphereError):
    """The gateway answered an error (4xx or 5xx other than an outage): its status and its own message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TechnicalTokenRefusedError(MindSphereAPIError):
    """The Token Management Service refused a technical token: its status and its own message.

    401: the app's credentials are wrong or unknown; 403: they are not for this app version or host
    tenant, or the user tenant does not have the app (mindsphere.technical).
    """
