"""Outgoing events kept on the document whose state they describe, and the relay that sends them.

An event is added to `outbox.<message_id>` in the same single-document update as the state change
it announces, so neither exists without the other. The relay publishes each (its message_id is
fixed, so a re-publish after a crash is deduplicable downstream) and then removes it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from velo_contracts import Event
from velo_contracts.topics import ORDERING_EVENTS
from velo_ordering.leases import Leases
from velo_runtime import Publisher, get_logger

Document = dict[str, Any]
log = get_logger(__name__)


def outbox_fields(events: Iterable[Event]) -> dict[str, Any]:
    """Returns the `$set` fields that put events into a document's outbox, in order."""
    base = time.time_ns()
    return {
        f"outbox.{event.message_id}": {"seq": base + i, "event": event.model_dump(mode="json")}
        for i, event in enumerate(events)
    }


def pending_events(document: Document) -> list[tuple[str, Event]]:
    """Returns a document's outgoing events in the order they were added."""
    entries = sorted((document.get("outbox") or {}).items(), key=lambda kv: kv[1]["seq"])
    return [(mid, ORDERING_EVENTS.parse(entry["event"])) for mid, entry in entries]  # type: ignore[misc]


class OutboxRelay:
    """Publishes the outboxes of one collection's documents."""

    def __init__(
        self, collection: AsyncCollection[Document], publisher: Publisher, leases: Leases
    ) -> None:
        self.collection = collection
        self.publisher = publisher
        self.leases = leases

    def lease_key(self, key: str) -> str:
        """Returns the lease key of a document of this collection."""
        return f"{self.collection.name}:{key}"

    async def relay(self, key: str) -> None:
        """Publishes the document's pending events, taking its lease (skips if someone holds it)."""
        if not await self.leases.take(self.lease_key(key)):
            return
        try:
            await self.relay_held(key)
        finally:
            await self.leases.give(self.lease_key(key))

    async def relay_held(self, key: str) -> None:
        """Publishes and removes every pending event of a document whose lease is held."""
        document = await self.collection.find_one({"_id": key}, {"outbox": 1})
        for message_id, event in pending_events(document or {}):
            await self.publisher.publish(event, ORDERING_EVENTS)
            await self.collection.update_one({"_id": key}, {"$unset": {f"outbox.{message_id}": ""}})
            log.info("event_published", type=event.type, tenant_id=event.tenant_id)

    async def relay_all(self, limit: int = 100) -> None:
        """Publishes every pending outbox of the collection (after a crash, say)."""
        cursor = self.collection.find({"outbox": {"$ne": {}}}, {"_id": 1}).limit(limit)
        for key in [doc["_id"] async for doc in cursor]:
            await self.relay(key)
