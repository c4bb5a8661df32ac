"""Prometheus metrics of a service, in one registry per service instance."""

from __future__ import annotations

from dataclasses import dataclass, field

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
            "Latency of calls to DIDWW and PortSIP.",
            ["vendor", "operation", "outcome"],
            registry=self.registry,
        )
