"""One route per `/v3` path serving its methods; any other method answers 405 with `Allow`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from velo_sandbox.didww.errors import method_not_allowed

Handler = Callable[[Request], Awaitable[Response]]


class _Methods:
    """An ASGI app dispatching on the request method (so every method reaches it)."""

    def __init__(self, handlers: dict[str, Handler], fallback: Handler | None) -> None:
        self.handlers = handlers
        self.fallback = fallback
        self.allow = ", ".join(handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        handler = self.handlers.get(method, self.fallback)
        if handler is not None:
            return await handler(request)
        if method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": self.allow})
        raise method_not_allowed(request.method, request.url.path, self.allow)


def resource(path: str, fallback: Handler | None = None, **handlers: Handler) -> Route:
    """Returns the route of path: `resource("/v3/orders", GET=list_orders, POST=create)`;
    fallback, when given, serves every other method."""
    return Route(path, _Methods(handlers, fallback))
