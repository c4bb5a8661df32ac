"""PortSIP's HTTP conventions: error documents, bearer-token handlers, list paging."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from velo_sandbox.portsip.store import Doc, Store, Tenant
from velo_sandbox.portsip.tokens import Caller, Tokens

_CODES = {
    400: "VALIDATE_FAILED",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    429: "TOO_MANY_REQUESTS",
}


class ApiError(Exception):
    """Answers the request with PortSIP's error document."""

    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "UNKNOWN")
        self.message = message


def error_document(status: int, code: str, message: str) -> Response:
    """Renders `{"errors":[{code, message}]}`."""
    return JSONResponse({"errors": [{"code": code, "message": message}]}, status_code=status)


def fault_body(status: int) -> tuple[bytes, str]:
    """Renders the error document of an injected fault."""
    body = {"errors": [{"code": "UNKNOWN", "message": "unknown error"}]}
    return json.dumps(body).encode(), "application/json"


def invalid(message: str) -> ApiError:
    """Returns a VALIDATE_FAILED refusal."""
    return ApiError(400, message)


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

    async def body(self) -> Doc:
        """Returns the JSON object sent, or refuses the call."""
        try:
            data = json.loads(await self.request.body() or b"{}")
        except ValueError:
            raise invalid("request body is not JSON") from None
        if not isinstance(data, dict):
            raise invalid("request body must be a JSON object")
        return data

    def param(self, name: str) -> str:
        """Returns a path parameter."""
        return str(self.request.path_params[name])


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
                return error_document(exc.status, exc.code, exc.message)

        return endpoint

    return wrap


def _token_of(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def page(request: Request, docs: Iterable[Doc], keys: tuple[str, ...]) -> Response:
    """Answers a list call: `{count, items}` of summaries, honouring skip, top and `eq` filters."""
    skip, top = _int_param(request, "skip", 0, 0), _int_param(request, "top", 100, 1)
    if top > 100:
        raise invalid("top must be between 1 and 100")
    matching = [d for d in docs if _matches(d, request.query_params.get("filter"))]
    items = [{k: d[k] for k in keys if k in d} for d in matching[skip : skip + top]]
    return JSONResponse({"count": len(matching), "items": items})


def _int_param(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise invalid(f"{name} must be an integer") from None
    if value < minimum:
        raise invalid(f"{name} must be at least {minimum}")
    return value


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
    """Answers a GET of one object."""
    return JSONResponse(doc)


def as_text(value: Any, name: str, *, required: bool = False, max_length: int = 64) -> str | None:
    """Validates an optional (or required) string field."""
    if value is None:
        if required:
            raise invalid(f"{name} is required")
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > max_length:
        raise invalid(f"{name} must be a string of at most {max_length} characters")
    return value
