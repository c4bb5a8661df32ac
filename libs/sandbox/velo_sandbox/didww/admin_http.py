"""What every DIDWW admin endpoint shares: its plain JSON body and error answer."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse


def error(message: str, status: int = 400) -> JSONResponse:
    """Returns an admin error answer."""
    return JSONResponse({"error": message}, status_code=status)


async def json_body(request: Request) -> dict[str, Any]:
    """Returns the request's JSON object (empty when there is no body); 400 for anything else."""
    raw = await request.body()
    try:
        found = json.loads(raw) if raw else {}
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return found
