"""PortSIP's HTTP conventions: error documents, bearer-token handlers, list paging, exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from velo_sandbox.portsip.errors import ApiError, invalid
from velo_sandbox.portsip.schema import BODY_REQUIRED, Schema, check
from velo_sandbox.portsip.store import Doc, Store, Tenant
from velo_sandbox.portsip.tokens import Caller, Tokens

HIDDEN = frozenset(
    {"password", "extension_password", "voicemail_pin", "stir_shaken_key", "stir_shaken_cert"}
    | {"applied_groups", "agents"}
)
"""Stored fields no answer shows: secrets PortSIP only takes in, and state with its own endpoint."""
INT32_MAX = 2**31 - 1


def error_document(status: int, code: str, message: str, detail: Any = None) -> Response:
    """Renders `{"errors":[{code, message, detail?}]}`."""
    error = {"code": code, "message": message, **({"detail": detail} if detail else {})}
    return JSONResponse({"errors": [error]}, status_code=status)


def render(exc: ApiError, headers: dict[str, str] | None = None) -> Response:
    """Renders an ApiError."""
    response = error_document(exc.status, exc.code, exc.message, exc.detail)
    response.headers.update(headers or {})
    return response


async def http_error(_: Request, exc: Exception) -> Response:
    """Renders the router's own refusals (no such path, method not allowed) as PortSIP does."""
    assert isinstance(exc, HTTPException)
    message = "no such resource" if exc.status_code == 404 else str(exc.detail).lower()
    return render(ApiError(exc.status_code, message), dict(exc.headers or {}))


async def server_error(_: Request, __: Exception) -> Response:
    """Renders a crash as PortSIP's `UNKNOWN` error."""
    return error_document(500, "UNKNOWN", "unknown error")


def fault_body(status: int) -> tuple[bytes, str]:
    """Renders the error document of an injected fault."""
    body = {"errors": [{"code": "UNKNOWN", "message": "unknown error"}]}
    return json.dumps(body).encode(), "application/json"


@dataclass
class Ctx:
    """What a handler gets: the request, its caller, and the PBX state."""

    request: Request
    caller: Caller
    store: Store

    @property
    def tenant(self) -> Tenant:
        """Returns the caller's tenant; SystemAdmin calls to tenant resources are refused."""
        if self.caller.tenant_id is None:
            raise ApiError(403, "this resource belongs to a tenant; log in as its admin")
        return self.store.tenants[self.caller.tenant_id]

    def require_system_admin(self) -> None:
        """Refuses the call unless the caller is the SystemAdmin."""
        if self.caller.role != "SystemAdmin":
            raise ApiError(403, "only the SystemAdmin may do this")

    async def body(self, schema: Schema) -> Doc:
        """Returns the JSON object sent if it fits schema, or refuses the call."""
        return await read_body(self.request, schema)

    def param(self, name: str) -> str:
        """Returns a path parameter."""
        return str(self.request.path_params[name])


async def read_body(request: Request, schema: Schema) -> Doc:
    """Returns the JSON object sent if it fits schema, or refuses the request."""
    raw = await request.body()
    if not raw and schema.get(BODY_REQUIRED):
        raise invalid("a request body is required")
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise invalid("the request body is not JSON") from None
    checked: Doc = check(schema, data)
    return checked


Handler = Callable[[Ctx], Awaitable[Response]]


Endpoint = Callable[[Request], Awaitable[Response]]


def bearer(tokens: Tokens, store: Store) -> Callable[[Handler], Endpoint]:
    """Wraps handlers to require a valid token, apply the rate limit and render ApiErrors."""

    def wrap(handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            caller = tokens.check(_token_of(request))
            if caller is None:
                return error_document(401, "UNAUTHORIZED", "invalid or expired access token")
            if not tokens.within_rate(caller):
                return error_document(429, "TOO_MANY_REQUESTS", "request rate limit exceeded")
            try:
                return await handler(Ctx(request, caller, store))
            except ApiError as exc:
                return render(exc)

        return endpoint

    return wrap


def _token_of(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


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
