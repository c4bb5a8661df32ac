"""One contract for the outbox relay, run on the in-memory fake and on the real engine.

Events stored with a change are published in the order they were added, each removed once
published; a publish that fails loses nothing; two relays at once only publish an event twice.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from velo_contracts import Actor, NumberAssigned, Role
from velo_contracts.topics import ASSIGNMENT_EVENTS, Topic
from velo_runtime import create_mongo_client
from velo_runtime.documents import Document, MemoryDocuments, MongoDocuments, change
from velo_runtime.outbox import PENDING, OutboxRelay, pending_in, with_events

ADMIN = Actor(user_id="admin@acme", role=Role.ADMIN)


class Sink:
    """Records what was published; can be told to fail the next publishes."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.failures = 0

    async def publish(self, message: Any, topic: Topic) -> None:
        await asyncio.sleep(0)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker away")
        self.sent.append(message.message_id)


@pytest.fixture(params=["memory", pytest.param("engine", marks=pytest.mark.infra)])
def backend(request: pytest.FixtureRequest) -> str | None:
    """None for the fake, else the session engine's URL (started outside any event loop)."""
    return None if request.param == "memory" else str(request.getfixturevalue("mongo_url"))


@pytest.fixture
async def relay_of(backend: str | None) -> AsyncIterator[Any]:
    """Makes a relay (and its documents) publishing to a sink."""
    if backend is None:
        fake = MemoryDocuments()

        async def scan(limit: int) -> list[str]:
            return [k for k, doc in fake.stored.items() if doc.get(PENDING)][:limit]

        yield lambda sink: OutboxRelay(fake, scan, sink, ASSIGNMENT_EVENTS)
        return
    client = create_mongo_client(backend)
    name = f"outbox_{uuid.uuid4().hex[:12]}"
    collection = client[name]["rows"]
    docs = MongoDocuments(collection)
    try:
        yield lambda sink: OutboxRelay(docs, pending_in(collection), sink, ASSIGNMENT_EVENTS)
    finally:
        await client.drop_database(name)
        await client.close()


def assigned(agent: str) -> NumberAssigned:
    return NumberAssigned(tenant_id="acme", actor=ADMIN, number="+4930123456", outbound_agent=agent)


async def store(relay: OutboxRelay, doc_id: str, *events: NumberAssigned) -> None:
    await change(relay.docs, doc_id, lambda doc: with_events(doc or {"n": 0}, events))


async def test_events_are_published_in_order_and_then_removed(relay_of: Any) -> None:
    sink = Sink()
    relay = relay_of(sink)
    events = [assigned(str(101 + i)) for i in range(5)]
    await store(relay, "row", *events)
    await relay.relay("row")
    stored: Document | None = await relay.docs.load("row")
    assert sink.sent == [e.message_id for e in events]
    assert stored is not None and stored["outbox"] == {} and stored[PENDING] == 0


async def test_a_failed_publish_loses_nothing_and_the_next_pass_sends_the_rest(
    relay_of: Any,
) -> None:
    sink = Sink()
    relay = relay_of(sink)
    events = [assigned("101"), assigned("102")]
    await store(relay, "row", *events)
    sink.failures = 1
    with pytest.raises(ConnectionError):
        await relay.relay("row")
    assert await relay.relay_all() == 1
    assert sink.sent == [e.message_id for e in events]
    assert await relay.relay_all() == 0


async def test_two_relays_at_once_publish_every_event_first_in_order(relay_of: Any) -> None:
    sink = Sink()
    first, second = relay_of(sink), relay_of(sink)
    events = [assigned(str(101 + i)) for i in range(10)]
    await store(first, "row", *events)
    await asyncio.gather(first.relay("row"), second.relay("row"))
    firsts = list(dict.fromkeys(sink.sent))
    assert firsts == [e.message_id for e in events]
    stored = await first.docs.load("row")
    assert stored is not None and stored[PENDING] == 0


async def test_the_safety_net_finds_every_document_left_with_events(relay_of: Any) -> None:
    sink = Sink()
    relay = relay_of(sink)
    for i in range(3):
        await store(relay, f"row{i}", assigned(str(101 + i)))
    await change(relay.docs, "quiet", lambda doc: {"n": 1})
    assert await relay.relay_all() == 3
    assert len(sink.sent) == 3 and await relay.relay_all() == 0
