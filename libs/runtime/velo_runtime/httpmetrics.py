"""Rate, errors and duration of every HTTP route a service answers, by route template.

Labels are the method, the matched route's template (`/v1/numbers/{number}`, never the path
itself: no number, tenant or id becomes a label) and the status class (`2xx` … `5xx`). A path no
route matches is `unmatched`. Duration runs until the response starts, so a stream (the event
stream, say) counts its time to answer, not how long the client stayed.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from velo_runtime.metrics import ServiceMetrics

UNMATCHED = "unmatched"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """The HTTP RED metrics of one service, in its registry."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self.requests = Counter(
            "velo_http_requests_total",
            "HTTP requests answered, by method, route template and status class "
            "(errors: 5xx, refusals: 4xx).",
            ["method", "route", "status_class"],
            registry=metrics.registry,
        )
        self.duration = Histogram(
            "velo_http_request_duration_seconds",
            "Time from an HTTP request's arrival to its response starting, by route template.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=metrics.registry,
        )

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        """Counts one answered request."""
        method, route = scope["method"], route_template(scope)
        self.requests.labels(method, route, f"{status // 100}xx").inc()
        self.duration.labels(method, route).observe(seconds)


def route_template(scope: Scope) -> str:
    """Returns the template of the route that matched the request, else `unmatched`."""
    route: Any = scope.get("route")
    if route is not None:
        return str(getattr(route, "path_format", None) or getattr(route, "path", UNMATCHED))
    path = scope.get("path", "")
    for mount in getattr(scope.get("app"), "routes", ()):  # FastAPI names no route for these
        if isinstance(mount, Mount) and (path + "/").startswith(mount.path + "/"):
            return f"{mount.path}/{{path}}"
    return UNMATCHED


class HttpMetricsMiddleware:
    """ASGI middleware observing every HTTP request into `HttpMetrics`."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        answered = False

        async def observed_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start" and not answered:
                answered = True
                self.metrics.observe(scope, message["status"], time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except Exception:
            if not answered:  # the server answers 500 for it
                self.metrics.observe(scope, 500, time.perf_counter() - started)
            raise
