"""DIDWW's JSON:API error documents, raised as exceptions by the sandbox's handlers."""

from __future__ import annotations

import json
from typing import Any


class ApiError(Exception):
    """An error response: HTTP status plus DIDWW error entries."""

    def __init__(
        self, status: int, *entries: dict[str, Any], headers: dict[str, str] | None = None
    ):
        super().__init__(status)
        self.status = status
        self.entries = list(entries)
        self.headers = headers or {}

    def document(self) -> dict[str, Any]:
        """Returns the JSON:API errors document."""
        return {"errors": self.entries}


def entry(
    title: str, detail: str, code: str, status: int, pointer: str | None = None
) -> dict[str, Any]:
    """Returns one error entry with string code and status."""
    item: dict[str, Any] = {"title": title, "detail": detail, "code": code, "status": str(status)}
    if pointer is not None:
        item["source"] = {"pointer": pointer}
    return item


def invalid(
    attribute: str, message: str = "is invalid", base: str = "/data/attributes"
) -> ApiError:
    """Returns DIDWW's 422 validation error for attribute."""
    return ApiError(
        422, entry(message, f"{attribute} - {message}", "100", 422, f"{base}/{attribute}")
    )


def not_found(kind: str, ident: str) -> ApiError:
    """Returns DIDWW's 404 for a missing record."""
    detail = f"The record identified by {ident} could not be found."
    return ApiError(404, entry("Record not found", detail, "404", 404))


def unauthorized() -> ApiError:
    """Returns DIDWW's 401 for a missing or unknown API key."""
    return ApiError(401, entry("Unauthorized", "Invalid or missing api-key", "401", 401))


def bad_request(title: str, detail: str, code: str) -> ApiError:
    """Returns a 400, e.g. code 102 (filter not allowed), 105 (invalid value), 112 (include)."""
    return ApiError(400, entry(title, detail, code, 400))


def insufficient_funds(required: str, available: str) -> ApiError:
    """Returns DIDWW's 400 for an order the balance cannot cover."""
    item = entry("Insufficient funds", "Insufficient funds", "400", 400)
    item["meta"] = {"required_amount": required, "total_balance": available}
    return ApiError(400, item)


def method_not_allowed(method: str, path: str, allow: str) -> ApiError:
    """Returns the 405 for a method the path does not serve, naming those it does in `Allow`."""
    item = entry("Method not allowed", f"{method} is not allowed on {path}.", "405", 405)
    return ApiError(405, item, headers={"Allow": allow})


def too_many_requests(retry_after: int = 1) -> ApiError:
    """Returns the 429 sent above the per-key rate limit."""
    item = entry("Too Many Requests", "Rate limit exceeded, retry later", "429", 429)
    return ApiError(429, item, headers={"Retry-After": str(retry_after)})


def error_body(status: int) -> tuple[bytes, str]:
    """Renders a bare DIDWW error document for an injected fault status."""
    doc = {"errors": [entry("Server error", f"HTTP {status}", str(status), status)]}
    return json.dumps(doc).encode(), "application/vnd.api+json"
