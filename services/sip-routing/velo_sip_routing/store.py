"""Desired routing per number in MongoDB, with its pending outgoing events (one document each).

A document is `dirty` from a desired change until PortSIP was brought to it; `version` counts
desired changes so marking one applied never hides a newer change made meanwhile. Every write
goes through the runtime's revision rule; events wait in the document's outbox until relayed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import Event, Message
from velo_runtime import IndexSpec, tracing
from velo_runtime.documents import Document, MongoDocuments, change
from velo_runtime.outbox import TRACE, outbox_index, with_events
from velo_sip_routing.domain import EPOCH, Route

COLLECTION = "routes"
INDEXES = [
    IndexSpec(COLLECTION, [("tenant_id", 1), ("number", 1)]),
    IndexSpec(COLLECTION, [("dirty", 1), ("next_attempt_at", 1)]),
    IndexSpec(COLLECTION, [("present", 1), ("tenant_id", 1)]),
    outbox_index(COLLECTION),
]


def now() -> datetime:
    """Returns the current time in UTC."""
    return datetime.now(UTC)


def key(tenant_id: str, number: str) -> str:
    """Returns the document id of a tenant's number."""
    return f"{tenant_id}|{number}"


def route_of(doc: Document) -> Route:
    """Returns the desired routing a document holds."""
    return Route(
        number=doc["number"],
        present=bool(doc.get("present")),
        destination=doc.get("destination"),
        outbound_agent=doc.get("outbound_agent"),
        preferred=bool(doc.get("preferred", True)),
        assigned_at=doc.get("assigned_at") or EPOCH,
        country_prefix=doc.get("country_prefix"),
    )


def _at_version(doc: Document, alter: Callable[[Document], Document]) -> Callable[..., Any]:
    """Returns a change applied only while the document is at doc's version."""

    def decide(stored: Document | None) -> Document | None:
        if stored is None or stored.get("version") != doc.get("version"):
            return None
        return alter(stored)

    return decide


class RouteStore:
    """Reads and changes the desired routing of numbers."""

    def __init__(self, db: AsyncDatabase[Document]):
        self.routes = db[COLLECTION]
        self.docs = MongoDocuments(self.routes)

    async def record(
        self,
        cause: Message,
        number: str,
        changes: Document,
        *,
        create: bool = False,
        former_agent: str | None = None,
    ) -> bool:
        """Applies a desired change once per message; tells whether it was new."""

        def decide(stored: Document | None) -> Document | None:
            if stored is None and not create:
                return None
            doc = stored or {"seen": [], "former_agents": [], "version": 0}
            if cause.message_id in doc["seen"] or not (create or doc.get("present")):
                return None
            formers = doc.get("former_agents") or []
            if former_agent and former_agent not in formers:
                formers = [*formers, former_agent]
            fields = {"tenant_id": cause.tenant_id, "number": number, "cause": _cause(cause)}
            fields[TRACE] = tracing.carrier()  # the change's trace, continued when applied
            return (
                doc
                | changes
                | fields
                | {
                    "dirty": True,
                    "next_attempt_at": now(),
                    "version": doc["version"] + 1,
                    "seen": [*doc["seen"], cause.message_id],
                    "former_agents": formers,
                }
            )

        written = await change(self.docs, key(cause.tenant_id, number), decide)
        return written.changed

    async def get(self, tenant_id: str, number: str) -> Document | None:
        """Returns the document of a tenant's number."""
        return await self.routes.find_one({"_id": key(tenant_id, number)})

    async def of_tenant(self, tenant_id: str) -> list[Document]:
        """Returns the tenant's numbers that PortSIP holds or should change."""
        query = {"tenant_id": tenant_id, "$or": [{"present": True}, {"dirty": True}]}
        return [doc async for doc in self.routes.find(query)]

    async def due_tenants(self) -> set[str]:
        """Returns the tenants with changes whose next attempt is due."""
        query = {"dirty": True, "next_attempt_at": {"$lte": now()}}
        return {doc["tenant_id"] async for doc in self.routes.find(query, {"tenant_id": 1})}

    async def routed_tenants(self) -> set[str]:
        """Returns the tenants with at least one number in PortSIP."""
        query = {"present": True}
        return {doc["tenant_id"] async for doc in self.routes.find(query, {"tenant_id": 1})}

    async def applied(self, doc: Document, events: list[Event]) -> Document | None:
        """Marks the document's version applied and queues events, unless it changed meanwhile."""
        reset = {"dirty": False, "attempts": 0, "failure_reported": False, "last_error": None}

        def alter(stored: Document) -> Document:
            done = stored | reset | {"former_agents": [], "applied_at": now()}
            return with_events(done, events)

        written = await change(self.docs, doc["_id"], _at_version(doc, alter))
        return written.document if written.changed else None

    async def failed(self, doc: Document, error: str, retry_in: float) -> Document | None:
        """Counts a failed attempt at the document's version; returns it updated."""

        def alter(stored: Document) -> Document:
            retry_at = now() + timedelta(seconds=retry_in)
            attempts = int(stored.get("attempts", 0)) + 1
            return stored | {"attempts": attempts, "last_error": error, "next_attempt_at": retry_at}

        written = await change(self.docs, doc["_id"], _at_version(doc, alter))
        return written.document if written.changed else None

    async def report_failure(self, doc: Document, events: list[Event]) -> Document | None:
        """Queues the failure events once per run of failures; returns the document if it did."""

        def decide(stored: Document | None) -> Document | None:
            if stored is None or stored.get("failure_reported"):
                return None
            return with_events(stored | {"failure_reported": True}, events)

        written = await change(self.docs, doc["_id"], decide)
        return written.document if written.changed else None


def _cause(message: Message) -> Document:
    return {
        "tenant_id": message.tenant_id,
        "actor": message.actor.model_dump(mode="json"),
        "correlation_id": message.correlation_id,
        "message_id": message.message_id,
    }
