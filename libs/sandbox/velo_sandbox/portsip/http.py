"""PortSIP's HTTP conventions: error documents, request bodies, bearer-token handlers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from velo_sandbox.portsip.errors import ApiError, invalid
from velo_sandbox.portsip.schema import BODY_REQUIRED, Schema, check
from velo_sandbox.portsip.store import Doc, Store, Tenant
from velo_sandbox.portsip.tokens import Caller, Tokens

UNKNOWN = {"code": "UNKNOWN", "message": "unknown error"}
"""PortSIP's error for a failure it does not classify."""


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
    refusal = cast(HTTPException, exc)  # registered for HTTPException only
    status = refusal.status_code
    message = "no such resource" if status == 404 else str(refusal.detail).lower()
    return render(ApiError(status, message), dict(refusal.headers or {}))


async def server_error(_: Request, __: Exception) -> Response:
    """Renders a crash as PortSIP's `UNKNOWN` error."""
    return JSONResponse({"errors": [UNKNOWN]}, status_code=500)


def fault_body(status: int) -> tuple[bytes, str]:
    """Renders the error document of an injected fault."""
    return json.dumps({"errors": [UNKNOWN]}).encode(), "application/json"


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
