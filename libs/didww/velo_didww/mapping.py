"""Maps DIDWW's HTTP error responses onto the client's error tree."""

from __future__ import annotations

from typing import Any

import httpx

from velo_didww.errors import (
    BadRequest,
    DidwwError,
    ErrorItem,
    Forbidden,
    InsufficientFunds,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)

_BY_STATUS: dict[int, type[DidwwError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    422: ValidationFailed,
}
DEFAULT_RETRY_AFTER = 1.0


def parse_errors(response: httpx.Response) -> tuple[ErrorItem, ...]:
    """Returns the entries of the JSON:API error document in response, if it has one."""
    try:
        doc = response.json()
    except ValueError:
        return ()
    entries = doc.get("errors") if isinstance(doc, dict) else None
    return tuple(_item(e) for e in entries or () if isinstance(e, dict))


def _item(entry: dict[str, Any]) -> ErrorItem:
    source = entry.get("source") or {}
    return ErrorItem(
        title=str(entry.get("title", "")),
        detail=str(entry.get("detail", "")),
        code=str(entry.get("code", "")),
        status=str(entry.get("status", "")),
        pointer=source.get("pointer") if isinstance(source, dict) else None,
    )


def retry_after(response: httpx.Response) -> float:
    """Returns the seconds DIDWW asks to wait after a 429."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER)))
    except ValueError:
        return DEFAULT_RETRY_AFTER


def error_for_response(method: str, path: str, response: httpx.Response) -> DidwwError:
    """Returns the client error that stands for DIDWW's error response."""
    status = response.status_code
    errors = parse_errors(response)
    summary = "; ".join(e.detail or e.title for e in errors) or response.reason_phrase
    message = f"DIDWW {status} on {method} {path}: {summary}"
    if status == 429:
        return RateLimited(message, retry_after(response), errors)
    if status >= 500:
        return Unavailable(message, status)
    if status == 400 and any(e.title.lower() == "insufficient funds" for e in errors):
        return InsufficientFunds(message, status, errors)
    return _BY_STATUS.get(status, DidwwError)(message, status, errors)
