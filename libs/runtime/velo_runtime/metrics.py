"""Prometheus metrics of a service, in one registry per service instance."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class ServiceMetrics:
    """The runtime's own metrics; services add theirs to the same registry."""

    registry: CollectorRegistry = field(
        default_factory=lambda: CollectorRegistry(auto_describe=True)
    )

    def __post_init__(self) -> None:
        self.retries = Counter(
            "velo_handler_retries_total",
            "Failed handler runs that will be retried.",
            ["topic"],
            registry=self.registry,
        )
        self.dead_lettered = Counter(
            "velo_messages_dead_lettered_total",
            "Messages moved to a dead-letter topic.",
            ["topic"],
            registry=self.registry,
        )
        self.published = Counter(
            "velo_messages_published_total",
            "Messages this service published.",
            ["topic", "type"],
            registry=self.registry,
        )
        self.vendor_calls = Histogram(
            "velo_vendor_call_seconds",
            "Latency of calls to DIDWW and PortSIP, by outcome (2xx, 4xx, 5xx, error).",
            ["vendor", "operation", "outcome"],
            registry=self.registry,
        )
        self.request_to_active = Histogram(
            "velo_request_to_active_seconds",
            "From a number request to the number being Active (routed in PortSIP).",
            buckets=(1, 2, 3, 5, 8, 13, 21, 34, 60, 120, 300, 600, 1800),
            registry=self.registry,
        )


_ID_LIKE = re.compile(r"[0-9]")


def operation(request: httpx.Request) -> str:
    """Names a vendor call `METHOD /path/{id}` (ids folded, so labels stay few)."""
    segments = [
        "{id}" if _ID_LIKE.search(s) and s != "v3" else s
        for s in request.url.path.strip("/").split("/")
    ]
    return f"{request.method} /" + "/".join(segments)


class MeteredTransport(httpx.AsyncBaseTransport):
    """Times every call to a vendor into `velo_vendor_call_seconds{vendor, operation, outcome}`."""

    def __init__(
        self, vendor: str, metrics: ServiceMetrics, inner: httpx.AsyncBaseTransport | None = None
    ):
        self.vendor = vendor
        self.histogram = metrics.vendor_calls
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Sends request through the inner transport, observing latency and outcome."""
        started = time.perf_counter()
        outcome = "error"
        try:
            response = await self.inner.handle_async_request(request)
            outcome = f"{response.status_code // 100}xx"
            return response
        finally:
            elapsed = time.perf_counter() - started
            self.histogram.labels(self.vendor, operation(request), outcome).observe(elapsed)

    async def aclose(self) -> None:
        """Closes the inner transport."""
        await self.inner.aclose()
