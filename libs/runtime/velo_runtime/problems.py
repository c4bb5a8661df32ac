"""RFC 9457 problem documents for the services' read APIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from velo_contracts import ErrorCode

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    code: ErrorCode | str,
    detail: str,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Returns a Problem+JSON response carrying one of the contracts' error codes."""
    code = str(code)
    body = {
        "type": f"urn:velo:problem:{code}",
        "title": title or code.replace("_", " ").capitalize(),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def e164(number: str) -> str:
    """Returns a number from a URL path (with or without the leading `+`) in E.164."""
    number = number.strip()
    return number if number.startswith("+") else f"+{number}"
