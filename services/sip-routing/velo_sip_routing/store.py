"""Desired routing per number in MongoDB, with its pending outgoing events (one document each).

A document is `dirty` from a desired change until PortSIP was brought to it; `version` counts
desired changes so marking one applied never hides a newer change made meanwhile. Outgoing
events wait in the document's `outbox` (keyed by message id) until relayed to Kafka.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from velo_contracts import Event, Message
from velo_runtime import IndexSpec
from velo_runtime.mongo import OneWriterPerDocument
from velo_sip_routing.domain import EPOCH, Route

Document = dict[str, Any]
COLLECTION = "routes"
INDEXES = [
    IndexSpec(COLLECTION, [("tenant_id", 1), ("number", 1)]),
    IndexSpec(COLLECTION, [("dirty", 1), ("next_attempt_at", 1)]),
    IndexSpec(COLLECTION, [("pending_events", 1)]),
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


class RouteStore:
    """Reads and changes the desired routing of numbers."""

    def __init__(self, db: AsyncDatabase[Document]):
        self.routes = OneWriterPerDocument(db[COLLECTION])

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
        query: Document = {"_id": key(cause.tenant_id, number), "seen": {"$ne": cause.message_id}}
        if not create:
            query["present"] = True
        add: Document = {"seen": cause.message_id}
        if former_agent:
            add["former_agents"] = former_agent
        fields = {"tenant_id": cause.tenant_id, "number": number, "cause": _cause(cause)}
        update = {
            "$set": changes | fields | {"dirty": True, "next_attempt_at": now()},
            "$inc": {"version": 1},
            "$addToSet": add,
        }
        try:
            result = await self.routes.update_one(query, update, upsert=create)
        except DuplicateKeyError:
            return False
        return bool(result.modified_count or result.upserted_id)

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

    async def applied(self, doc: Document, events: list[Event]) -> None:
        """Marks the document's version applied and queues events, unless it changed meanwhile."""
        reset = {"dirty": False, "attempts": 0, "failure_reported": False, "last_error": None}
        update = {
            "$set": reset | {"former_agents": [], "applied_at": now()} | _outbox(events),
            "$inc": {"pending_events": len(events)},
        }
        await self.routes.update_one({"_id": doc["_id"], "version": doc["version"]}, update)

    async def failed(self, doc: Document, error: str, retry_in: float) -> Document | None:
        """Counts a failed attempt at the document's version; returns it updated."""
        update = {
            "$inc": {"attempts": 1},
            "$set": {"last_error": error, "next_attempt_at": now() + timedelta(seconds=retry_in)},
        }
        return await self.routes.find_one_and_update(
            {"_id": doc["_id"], "version": doc["version"]},
            update,
            return_document=ReturnDocument.AFTER,
        )

    async def report_failure(self, doc: Document, events: list[Event]) -> bool:
        """Queues the failure events once per run of failures; tells whether it did."""
        query = {"_id": doc["_id"], "failure_reported": {"$ne": True}}
        update = {
            "$set": {"failure_reported": True} | _outbox(events),
            "$inc": {"pending_events": len(events)},
        }
        return bool((await self.routes.update_one(query, update)).modified_count)

    async def with_outbox(self) -> list[Document]:
        """Returns the documents that have events waiting to be relayed."""
        return [doc async for doc in self.routes.find({"pending_events": {"$gt": 0}})]

    async def relayed(self, doc_id: str, message_id: str) -> None:
        """Removes a relayed event from its document's outbox."""
        field = f"outbox.{message_id}"
        await self.routes.update_one(
            {"_id": doc_id, field: {"$exists": True}},
            {"$unset": {field: ""}, "$inc": {"pending_events": -1}},
        )


def _outbox(events: list[Event]) -> Document:
    return {f"outbox.{e.message_id}": e.model_dump(mode="json") for e in events}


def _cause(message: Message) -> Document:
    return {
        "tenant_id": message.tenant_id,
        "actor": message.actor.model_dump(mode="json"),
        "correlation_id": message.correlation_id,
        "message_id": message.message_id,
    }
