"""PortSIP's answers: list pages of summaries, detailed representations, creates, exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from velo_sandbox.portsip.errors import ApiError, invalid
from velo_sandbox.portsip.store import Doc

HIDDEN = frozenset(
    {"password", "extension_password", "voicemail_pin", "stir_shaken_key", "stir_shaken_cert"}
    | {"applied_groups", "agents"}
)
"""Stored fields no answer shows: secrets PortSIP only takes in, and state with its own endpoint."""
INT32_MAX = 2**31 - 1


def page(request: Request, docs: Iterable[Doc], keys: tuple[str, ...]) -> Response:
    """Answers a list call: `{count, items}` of summaries, honouring skip, top and `eq` filters."""
    skip = _int_param(request, "skip", 0, 0, INT32_MAX)
    top = _int_param(request, "top", 100, 1, 100)
    matching = [d for d in docs if _matches(d, request.query_params.get("filter"))]
    items = [summary(d, keys) for d in matching[skip : skip + top]]
    return JSONResponse({"count": len(matching), "items": items})


def summary(doc: Doc, keys: tuple[str, ...]) -> Doc:
    """Returns the summary representation: the keys a list shows."""
    return {k: doc[k] for k in keys if k in doc}


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise invalid(f"{name} must be an integer", name) from None
    if not low <= value <= high:
        raise invalid(f"{name} must be from {low} to {high}", name)
    return value


def flag_param(request: Request, name: str) -> bool:
    """Returns a boolean query parameter (`true` or `false`, default false)."""
    raw = request.query_params.get(name, "false")
    if raw not in ("true", "false"):
        raise invalid(f"{name} must be true or false", name)
    return raw == "true"


def _matches(doc: Doc, expression: str | None) -> bool:
    if not expression:
        return True
    field, op, value = [*expression.split(" ", 2), "", ""][:3]
    if op != "eq" or not (value.startswith("'") and value.endswith("'")):
        raise invalid("the sandbox supports only filter=FIELD eq 'VALUE'")
    return str(doc.get(field)) == value[1:-1]


def found(objects: dict[str, Doc], object_id: str, what: str) -> Doc:
    """Returns objects[object_id] or answers 404."""
    if object_id not in objects:
        raise ApiError(404, f"{what} not found")
    return objects[object_id]


def doomed(objects: dict[str, Doc], object_id: str, what: str) -> Doc:
    """Returns the object a destroy addresses; an unknown id is refused with 400.

    PortSIP's description answers a destroy of an unknown inbound rule or provider with `400
    Invalid … ID supplied` (and declares nothing else for them); every destroy answers so here.
    """
    if object_id not in objects:
        raise invalid(f"invalid {what} id: no such {what}", "id")
    return objects[object_id]


def created(object_id: str, status: int = 201) -> Response:
    """Answers a create with `{id}`."""
    return JSONResponse({"id": object_id}, status_code=status)


def no_content() -> Response:
    """Answers a destroy."""
    return Response(status_code=204)


def ok() -> Response:
    """Answers an update (200, empty body)."""
    return Response(status_code=200)


def detail(doc: Doc) -> Response:
    """Answers a GET of one object (its detailed representation)."""
    return JSONResponse({k: v for k, v in doc.items() if k not in HIDDEN})


def export(docs: Iterable[Doc], keys: tuple[str, ...], filename: str) -> Response:
    """Answers an export: a CSV file of the summaries, as an attachment."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(keys)
    for doc in docs:
        writer.writerow([_cell(doc.get(k)) for k in keys])
    disposition = f'attachment; filename="{filename}"'
    return Response(
        out.getvalue().encode(),
        media_type="application/octet-stream",
        headers={"Content-Disposition": disposition},
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)
