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


class Unavailable(PortsipError):
    """PortSIP could not be reached or answered 5xx / 429: try again later."""
