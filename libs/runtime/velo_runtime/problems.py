"""RFC 9457 problem documents for the services' read APIs."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from velo_contracts import ErrorCode

PROBLEM_JSON = "application/problem+json"


def problem(status: int, code: ErrorCode, detail: str) -> JSONResponse:
    """Returns a Problem+JSON response carrying one of the contracts' error codes."""
    body = {
        "type": f"urn:velo:problem:{code.value}",
        "title": code.value.replace("_", " ").capitalize(),
        "status": status,
        "detail": detail,
        "code": code.value,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def e164(number: str) -> str:
    """Returns a number from a URL path (with or without the leading `+`) in E.164."""
    number = number.strip()
    return number if number.startswith("+") else f"+{number}"
