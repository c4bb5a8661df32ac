"""The client's error tree: what a caller of DIDWW can act on, never an `httpx` type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorItem:
    """One entry of a DIDWW JSON:API error document."""

    title: str
    detail: str
    code: str
    status: str
    pointer: str | None = None


class DidwwError(Exception):
    """Base of every error the DIDWW client raises."""

    def __init__(self, message: str, status: int | None = None, errors: tuple[ErrorItem, ...] = ()):
        super().__init__(message)
        self.status = status
        self.errors = errors


class Unauthorized(DidwwError):
    """The API key is missing, wrong or disabled (HTTP 401)."""


class Forbidden(DidwwError):
    """The account may not do this, e.g. it is in read-only mode (HTTP 403)."""


class NotFound(DidwwError):
    """The resource does not exist or belongs to another account (HTTP 404)."""


class BadRequest(DidwwError):
    """DIDWW refused a malformed request: unknown filter, bad parameter (HTTP 400)."""


class InsufficientFunds(DidwwError):
    """The balance does not cover the order (DIDWW answers HTTP 400 "Insufficient funds")."""


class ValidationFailed(DidwwError):
    """DIDWW rejected the request's content (HTTP 422); `pointer` names the offending field."""

    @property
    def pointer(self) -> str | None:
        """Returns the JSON pointer of the first validation error."""
        return self.errors[0].pointer if self.errors else None

    @property
    def detail(self) -> str:
        """Returns DIDWW's detail text of the first validation error."""
        return self.errors[0].detail if self.errors else str(self)


class RateLimited(DidwwError):
    """DIDWW refused the request for exceeding the rate limit; it was not processed (HTTP 429)."""

    def __init__(self, message: str, retry_after: float, errors: tuple[ErrorItem, ...] = ()):
        super().__init__(message, 429, errors)
        self.retry_after = retry_after


class Unavailable(DidwwError):
    """DIDWW could not be reached or failed (5xx, timeout, connection error).

    `maybe_processed` is true when the request may have reached DIDWW (a timeout after
    sending, a 5xx): a POST may then have taken effect, so look it up before repeating it.
    """

    def __init__(self, message: str, status: int | None = None, maybe_processed: bool = True):
        super().__init__(message, status)
        self.maybe_processed = maybe_processed
