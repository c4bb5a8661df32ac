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


@dataclass(frozen=True)
class RequirementProblem:
    """One thing an address requirement misses: `identity.birth_date`, `address.proofs`, ...

    `entity` is "identity" or "address" when the problem is on one of them; `field` names the
    attribute, relationship (`proofs`, `country`, `permanent_documents`) or request member
    (`onetime_files`, `service_description`, `dids`) at fault.
    """

    entity: str | None
    field: str | None
    detail: str
    pointer: str | None = None


_ENTITIES = ("identity", "address")


def requirement_problem(item: ErrorItem) -> RequirementProblem:
    """Reads which entity and field an error names, from its pointer (else its detail)."""
    parts = [p for p in (item.pointer or "").split("/") if p and p not in ("data",)]
    if len(parts) >= 2:
        entities = [p for p in parts[:-1] if p in _ENTITIES]
        return RequirementProblem(
            entities[-1] if entities else None, parts[-1], item.detail, item.pointer
        )
    subject = item.detail.partition(" - ")[0] if " - " in item.detail else ""
    entity, dot, field = subject.rpartition(".")
    found = entity if dot and entity in _ENTITIES else None
    return RequirementProblem(found, field or None, item.detail, item.pointer)


class RequirementNotMet(ValidationFailed):
    """DIDWW found an identity, address or submission short of an address requirement (HTTP
    422); `problems` lists every missing field, proof or document."""

    @property
    def problems(self) -> tuple[RequirementProblem, ...]:
        """Returns what is missing, one entry per DIDWW error."""
        return tuple(requirement_problem(e) for e in self.errors)


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
