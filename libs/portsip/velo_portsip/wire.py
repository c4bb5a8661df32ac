"""One HTTP exchange with PortSIP: send, translate transport failures and error documents."""

from __future__ import annotations

from typing import Any

import httpx

from velo_portsip.errors import (
    Forbidden,
    NotFound,
    PortsipError,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)

_BY_STATUS: dict[int, type[PortsipError]] = {401: Unauthorized, 403: Forbidden, 404: NotFound}


def error_for(response: httpx.Response, what: str) -> PortsipError:
    """Translates a non-2xx response into the client's error, keeping PortSIP's code."""
    code, message = _first_error(response)
    status = response.status_code
    transient = status >= 500 or status == 429
    kind = Unavailable if transient else _BY_STATUS.get(status, ValidationFailed)
    return kind(f"{what}: HTTP {status} {code}: {message}", code=code, status=status)


def _first_error(response: httpx.Response) -> tuple[str, str]:
    try:
        errors = response.json().get("errors") or [{}]
        first = errors[0]
        return str(first.get("code") or "UNKNOWN"), str(first.get("message") or "")
    except (ValueError, AttributeError, IndexError, TypeError):
        return "UNKNOWN", response.reason_phrase


async def exchange(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Sends one request; raises `Unavailable` on timeouts and connection failures."""
    what = f"{method} {path}"
    try:
        return await http.request(method, path, json=json, params=params, headers=headers)
    except httpx.TimeoutException:
        raise Unavailable(f"{what}: timed out", code="TIMEOUT") from None
    except httpx.TransportError as exc:
        raise Unavailable(f"{what}: {type(exc).__name__}", code="CONNECTION_FAILED") from None


def body_of(response: httpx.Response) -> Any:
    """Returns the JSON body of a successful response, or None when it has none."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
