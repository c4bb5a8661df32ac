"""The client's error tree: what callers can act on, never a raw `httpx` exception."""

from __future__ import annotations


class PortsipError(Exception):
    """Base of every error the PortSIP client raises; carries PortSIP's code and message."""

    def __init__(self, message: str, *, code: str = "UNKNOWN", status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(code={self.code!r}, status={self.status!r}, {self.message!r})"


class Unauthorized(PortsipError):
    """Login failed, or the token was refused even after one fresh login."""


class Forbidden(PortsipError):
    """The logged-in role may not do this (e.g. a tenant admin changing a shared trunk)."""


class NotFound(PortsipError):
    """The addressed object does not exist for this tenant."""


class ValidationFailed(PortsipError):
    """PortSIP refused the request body (`VALIDATE_FAILED` and other 4xx refusals)."""


class UnknownExtension(ValidationFailed):
    """A rule was to forward to an extension the tenant does not have (checked before sending)."""

    def __init__(self, number: str):
        super().__init__(f"{number} is not an extension of this tenant", code="VALIDATE_FAILED")
        self.number = number


class PoolInUse(ValidationFailed):
    """A pool change would drop numbers that rules or caller IDs still use (checked before
    sending): change or remove those first."""

    def __init__(self, provider_id: str, usages: dict[str, list[str]]):
        listed = "; ".join(f"{n}: {', '.join(users)}" for n, users in sorted(usages.items()))
        message = f"the pool of provider {provider_id} would lose numbers still in use ({listed})"
        super().__init__(message, code="VALIDATE_FAILED")
        self.provider_id = provider_id
        self.usages = usages


class Unavailable(PortsipError):
    """PortSIP could not be reached or answered 5xx / 429: try again later."""
