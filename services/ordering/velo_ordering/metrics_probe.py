"""Requests not finished yet, by status and age — what the "request stuck" alert and panel read.

Finished, for the admin, means Active, rejected or failed; everything else (requested, ordering,
approved waiting for PortSIP, …) is open. Nothing should stay open for long: a request that
cannot progress keeps retrying and alerts, and these gauges show it to the SRE as well.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Gauge
from pymongo.asynchronous.collection import AsyncCollection

from velo_ordering.domain import Status
from velo_ordering.store import RequestStore
from velo_runtime import Service
from velo_runtime.documents import Document

FINISHED = frozenset({Status.ACTIVE, Status.REJECTED, Status.FAILED})
AGES = (0, 60, 300, 900, 3600)
"""Age thresholds (seconds) the open requests are counted above."""
READ_AT_MOST = 10_000


class OpenRequests:
    """Sets `velo_requests_open{status, older_than_seconds}` and the oldest's age by status."""

    def __init__(self, requests: AsyncCollection[Document], service: Service) -> None:
        self.requests = requests
        registry = service.metrics.registry
        self.open = Gauge(
            "velo_requests_open",
            "Number requests not yet Active, rejected or failed, by status, counting those "
            "older than each threshold (0: all of them).",
            ["status", "older_than_seconds"],
            registry=registry,
        )
        self.oldest = Gauge(
            "velo_requests_open_oldest_age_seconds",
            "Age of the oldest request not yet Active, rejected or failed, by status (0: none).",
            ["status"],
            registry=registry,
        )

    async def measure(self) -> None:
        """Reads the open requests once (through the status index)."""
        now = datetime.now(UTC)
        query = {"status": {"$nin": sorted(FINISHED)}}
        found = self.requests.find(query, {"status": 1, "created_at": 1}).limit(READ_AT_MOST)
        ages: dict[str, list[float]] = {str(s): [] for s in Status if s not in FINISHED}
        async for doc in found:
            created = doc.get("created_at") or now
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            ages.setdefault(str(doc["status"]), []).append((now - created).total_seconds())
        for status, seen in ages.items():
            for threshold in AGES:
                older = sum(age > threshold for age in seen)
                self.open.labels(status, str(threshold)).set(older)
            self.oldest.labels(status).set(max(seen, default=0.0))


def watch(service: Service, store: RequestStore, *outboxes: AsyncCollection[Document]) -> None:
    """Exports ordering's open requests and the backlog of its outboxes."""
    service.probes.add("open-requests", OpenRequests(store.requests, service).measure)
    service.watch_outboxes(store.requests, *outboxes)
