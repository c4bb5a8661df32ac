"""Outgoing events kept in the document whose state they announce, and the one relay sending them.

A change adds its events to the document's `outbox` in the same guarded write as the state, so
neither exists without the other. The relay publishes a document's events in the order they were
added (message ids are fixed, so a re-publish after a crash is deduplicated downstream), then
removes those it published in one write under the revision rule. It runs right after a write
and, as a safety net, over every document with `pending_events > 0` (index that field). Two
relays at once only publish an event twice, never lose or reorder the first publication of each.

With tracing on, each event keeps the trace context it was added in and is published inside it
(a relay after a crash still joins the trace), and a document keeps the context of its first
events as `trace`, for work that continues it later (`velo_runtime.tracing.continued`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol

from pymongo.asynchronous.collection import AsyncCollection

from velo_contracts import Event
from velo_contracts.topics import Topic
from velo_runtime import tracing
from velo_runtime.documents import Decide, Document, Documents, MongoDocuments, change
from velo_runtime.logs import get_logger
from velo_runtime.mongo import IndexSpec

OUTBOX = "outbox"
PENDING = "pending_events"
TRACE = "trace"
log = get_logger(__name__)


def outbox_index(collection: str) -> IndexSpec:
    """Returns the index the relay's safety-net scan needs."""
    return IndexSpec(collection, [(PENDING, 1)])


def with_events(document: Document, events: Iterable[Event]) -> Document:
    """Returns the document with events appended to its outbox, in order."""
    outbox = dict(document.get(OUTBOX) or {})
    base = time.time_ns()
    context = tracing.carrier()
    for i, event in enumerate(events):
        entry = {"seq": base + i, "event": event.model_dump(mode="json")}
        outbox[event.message_id] = entry | ({TRACE: context} if context else {})
    traced = {TRACE: context} if context and not document.get(TRACE) else {}
    return document | {OUTBOX: outbox, PENDING: len(outbox)} | traced


Waiting = tuple[str, dict[str, object], dict[str, str] | None]
"""An event waiting in an outbox: message id, data, and the trace context it was added in."""


def pending(document: Document) -> list[Waiting]:
    """Returns a document's waiting events, oldest first."""
    entries = sorted((document.get(OUTBOX) or {}).items(), key=lambda kv: kv[1]["seq"])
    return [(message_id, entry["event"], entry.get(TRACE)) for message_id, entry in entries]


def _without(*message_ids: str) -> Decide:
    def drop(document: Document | None) -> Document | None:
        waiting = (document or {}).get(OUTBOX) or {}
        if document is None or not waiting.keys() & set(message_ids):
            return None
        outbox = {k: v for k, v in waiting.items() if k not in message_ids}
        return document | {OUTBOX: outbox, PENDING: len(outbox)}

    return drop


class EventSink(Protocol):
    """Where relayed events go (the service's Kafka publisher, or a test's list)."""

    async def publish(self, message: Any, topic: Topic) -> None:
        """Publishes one event to its topic."""


PendingIds = Callable[[int], Awaitable[list[str]]]
"""Returns up to n ids of documents with events waiting (the safety net's scan)."""


def pending_in(collection: AsyncCollection[Document]) -> PendingIds:
    """Returns the safety-net scan of a MongoDB collection (served by `outbox_index`)."""

    async def scan(limit: int) -> list[str]:
        found = collection.find({PENDING: {"$gt": 0}}, {"_id": 1}).limit(limit)
        return [doc["_id"] async for doc in found]

    return scan


class OutboxRelay:
    """Publishes the outboxes of one collection's documents to their topic."""

    def __init__(
        self, docs: Documents, pending_ids: PendingIds, publisher: EventSink, topic: Topic
    ):
        self.docs = docs
        self.pending_ids = pending_ids
        self.publisher = publisher
        self.topic = topic

    @classmethod
    def of(
        cls,
        collection: AsyncCollection[Document],
        publisher: EventSink,
        topic: Topic,
        docs: Documents | None = None,
    ) -> OutboxRelay:
        """Returns the relay of a MongoDB collection."""
        return cls(docs or MongoDocuments(collection), pending_in(collection), publisher, topic)

    async def relay(self, doc_id: str) -> None:
        """Publishes and removes every waiting event of one document."""
        document = await self.docs.load(doc_id)
        await self._send(doc_id, pending(document or {}))

    async def relay_document(self, document: Document) -> None:
        """Publishes and removes the waiting events of a document just read or written."""
        await self._send(document["_id"], pending(document))

    async def _send(self, doc_id: str, events: Sequence[Waiting]) -> None:
        sent: list[str] = []
        try:
            for message_id, data, context in events:
                event = self.topic.parse(data)
                with tracing.within(context):
                    await self.publisher.publish(event, self.topic)
                sent.append(message_id)
                log.debug("event_relayed", type=event.type, message_id=message_id)
        finally:
            if sent:  # one write for all of them (a publish failing keeps the rest, in order)
                await change(self.docs, doc_id, _without(*sent))

    async def relay_all(self, limit: int = 200) -> int:
        """Publishes the outboxes left behind (after a crash, say); returns how many documents."""
        keys = await self.pending_ids(limit)
        for key in keys:
            await self.relay(key)
        return len(keys)
