"""Gauges read from Kafka and MongoDB in the background, and the outbox backlog among them.

A counter counts what the process did; some things an SRE reads first are states held elsewhere:
events waiting in an outbox, a consumer group's lag, a DLQ's depth, requests not yet finished.
A probe reads one such state and sets its gauges; `Probes` runs every probe of a service when it
has started and then every `probe_interval_seconds`, so a scrape reads values at most that old.
A probe that fails (its dependency down) is logged and tried again on the next round; the others
go on.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from prometheus_client import Gauge
from pymongo.asynchronous.collection import AsyncCollection

from velo_runtime.background import Background, being_cancelled
from velo_runtime.documents import Document
from velo_runtime.logs import get_logger
from velo_runtime.metrics import ServiceMetrics
from velo_runtime.outbox import OUTBOX, PENDING

Probe = Callable[[], Awaitable[None]]
log = get_logger(__name__)


class Probes:
    """Runs a service's probes now and then every interval, until stopped."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._probes: list[tuple[str, Probe]] = []
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self._background = Background()

    def add(
        self, name: str, probe: Probe, close: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Adds a probe (and what closes its clients when the service stops)."""
        self._probes.append((name, probe))
        if close is not None:
            self._closers.append(close)

    async def start(self) -> None:
        """Runs every probe now and then every interval, in the background."""
        if self._probes:
            self._background.every(self.interval, self.run_once)

    async def run_once(self) -> None:
        """Runs every probe once; one failing does not keep the others from running."""
        for name, probe in self._probes:
            try:
                await probe()
            except Exception as error:
                if being_cancelled():
                    raise
                log.warning("probe_failed", probe=name, error=repr(error)[:300])

    async def stop(self) -> None:
        """Stops the rounds and closes the probes' clients."""
        await self._background.stop()
        for close in self._closers:
            await close()


class OutboxBacklog:
    """Events waiting in the outboxes of a service's collections, and how long the oldest has."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self.pending = Gauge(
            "velo_outbox_pending_events",
            "Events written with their state but not yet published, by collection.",
            ["collection"],
            registry=metrics.registry,
        )
        self.oldest = Gauge(
            "velo_outbox_oldest_pending_age_seconds",
            "Age of the oldest event waiting in an outbox, by collection (0: none waiting).",
            ["collection"],
            registry=metrics.registry,
        )

    def probe(self, collection: AsyncCollection[Document], limit: int = 1000) -> Probe:
        """Returns the probe of one collection's outboxes (read through its outbox index)."""

        async def measure() -> None:
            waiting = collection.find({PENDING: {"$gt": 0}}, {OUTBOX: 1}).limit(limit)
            seqs = [
                int(entry["seq"])
                async for document in waiting
                for entry in (document.get(OUTBOX) or {}).values()
            ]
            oldest = time.time() - min(seqs) / 1e9 if seqs else 0.0
            self.pending.labels(collection.name).set(len(seqs))
            self.oldest.labels(collection.name).set(max(oldest, 0.0))

        return measure
