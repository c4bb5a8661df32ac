"""Fault injection and per-endpoint counters shared by the vendor sandboxes.

Both sandboxes wrap their vendor API (`/v3` or `/api`) in `FaultMiddleware` and expose
`admin_routes(...)` outside that prefix, so tests can slow, break or hang the API and then
count what the code under test really sent.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

ErrorBody = Callable[[int], tuple[bytes, str]]
"""Renders the vendor's own error document for an HTTP status: (body, content type)."""

_ID_SEGMENT = re.compile(r"^(?=.*\d)[0-9A-Za-z_.+-]+$|^[0-9a-f]{8}-[0-9a-f-]{27}$")


def endpoint_key(method: str, path: str) -> str:
    """Names an endpoint as `METHOD /path/{id}`, folding id-like segments together."""
    root, *rest = path.strip("/").split("/")
    segments = [root] + ["{id}" if _ID_SEGMENT.match(s) else s for s in rest]
    return f"{method} /" + "/".join(segments)


@dataclass
class FaultPlan:
    """What goes wrong with the next requests; all off by default."""

    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 500
    burst_status: int = 503
    burst_count: int = 0
    hang_count: int = 0
    hang_all: bool = False
    seed: int | None = None

    def describe(self) -> dict[str, Any]:
        """Returns the plan as JSON-ready data."""
        return asdict(self)


@dataclass
class FaultState:
    """The active fault plan and the request counters of one sandbox."""

    plan: FaultPlan = field(default_factory=FaultPlan)
    counters: Counter[str] = field(default_factory=Counter)
    in_flight: Counter[str] = field(default_factory=Counter)
    peak_in_flight: Counter[str] = field(default_factory=Counter)
    """The most requests to each endpoint answered at once (since the sandbox started)."""
    _rng: random.Random = field(default_factory=random.Random)

    def replace_plan(self, plan: FaultPlan) -> None:
        """Activates plan in place of the current one."""
        self.plan = plan
        self._rng = random.Random(plan.seed)  # noqa: S311 - fault injection, not crypto

    def take_hang(self) -> bool:
        """Tells whether this request should hang, consuming one planned hang."""
        if self.plan.hang_all:
            return True
        if self.plan.hang_count > 0:
            self.plan.hang_count -= 1
            return True
        return False

    def take_error(self) -> int | None:
        """Returns the status this request should fail with, if any."""
        if self.plan.burst_count > 0:
            self.plan.burst_count -= 1
            return self.plan.burst_status
        if self.plan.error_rate and self._rng.random() < self.plan.error_rate:
            return self.plan.error_status
        return None


class FaultMiddleware:
    """Counts requests under prefix and applies the active fault plan to them."""

    def __init__(self, app: ASGIApp, state: FaultState, prefix: str, error_body: ErrorBody):
        self.app = app
        self.state = state
        self.prefix = prefix
        self.error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        endpoint = endpoint_key(scope["method"], path)
        self.state.counters[endpoint] += 1
        self.state.in_flight[endpoint] += 1
        peak = self.state.peak_in_flight
        peak[endpoint] = max(peak[endpoint], self.state.in_flight[endpoint])
        try:
            await self._answer(scope, receive, send)
        finally:
            self.state.in_flight[endpoint] -= 1

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.state.plan.latency_ms:
            await asyncio.sleep(self.state.plan.latency_ms / 1000)
        if self.state.take_hang():
            await _until_disconnected(receive)  # the client gives up; nothing is answered
            return
        status = self.state.take_error()
        if status is not None:
            body, content_type = self.error_body(status)
            await Response(body, status_code=status, media_type=content_type)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _until_disconnected(receive: Receive) -> None:
    """Waits until the client closes the connection (so a server shutdown is not held up)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def admin_routes(state: FaultState, base: str = "/_admin") -> list[Route]:
    """Returns the admin routes that set faults and read counters (outside the vendor API)."""

    async def set_faults(request: Request) -> Response:
        body = await request.json() if await request.body() else {}
        try:
            plan = FaultPlan(**body)
        except TypeError as exc:
            return JSONResponse({"error": f"unknown fault option: {exc}"}, status_code=400)
        state.replace_plan(plan)
        return JSONResponse(plan.describe())

    async def get_faults(_: Request) -> Response:
        return JSONResponse(state.plan.describe())

    async def clear_faults(_: Request) -> Response:
        state.replace_plan(FaultPlan())
        return Response(status_code=204)

    async def get_counters(_: Request) -> Response:
        return JSONResponse(dict(state.counters))

    async def reset_counters(_: Request) -> Response:
        state.counters.clear()
        return Response(status_code=204)

    return [
        Route(f"{base}/faults", set_faults, methods=["POST", "PUT"]),
        Route(f"{base}/faults", get_faults, methods=["GET"]),
        Route(f"{base}/faults", clear_faults, methods=["DELETE"]),
        Route(f"{base}/counters", get_counters, methods=["GET"]),
        Route(f"{base}/counters", reset_counters, methods=["DELETE"]),
    ]
