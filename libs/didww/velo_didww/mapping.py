"""Maps DIDWW's HTTP error responses onto the client's error tree."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
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
"""DIDWW's API description (2026-04-16) names no 429 headers: without Retry-After, one window."""
MAX_RETRY_AFTER = 60.0
"""A longer Retry-After is taken as this: the caller's own deadlines decide beyond it."""


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


def retry_after(response: httpx.Response, now: datetime | None = None) -> float:
    """Returns the seconds DIDWW asks to wait after a 429 (Retry-After: seconds or HTTP date)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return DEFAULT_RETRY_AFTER
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return DEFAULT_RETRY_AFTER
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


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
