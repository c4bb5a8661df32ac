"""PortSIP's refusals: an HTTP status, an UPPER_SNAKE code, a message and an optional detail."""

from __future__ import annotations

from typing import Any

_CODES = {
    400: "VALIDATE_FAILED",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "TOO_MANY_REQUESTS",
}


class ApiError(Exception):
    """Answers the request with PortSIP's error document."""

    def __init__(self, status: int, message: str, code: str | None = None, detail: Any = None):
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "UNKNOWN")
        self.message = message
        self.detail = detail


def invalid(message: str, field: str | None = None) -> ApiError:
    """Returns a VALIDATE_FAILED refusal, naming the field at fault if there is one."""
    return ApiError(400, message, detail={"field": field} if field else None)
