"""Server-sent events: the caller's tenant's number, routing, assignment and alert events, live."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from velo_contracts.topics import ASSIGNMENT_EVENTS, ORDERING_EVENTS, ROUTING_EVENTS
from velo_gateway.auth import Admin
from velo_gateway.context import Deps

router = APIRouter(prefix="/v1", tags=["live"])
LIVE_TOPICS = (ORDERING_EVENTS, ROUTING_EVENTS, ASSIGNMENT_EVENTS)
KEEPALIVE_SECONDS = 15.0


@router.get("/events")
async def events(caller: Admin, gw: Deps, request: Request) -> StreamingResponse:
    """Streams the tenant's events from now on (`event: <type>`, `data: <event JSON>`)."""
    consumer = await _consumer_at_end(gw.settings.kafka_bootstrap)
    return StreamingResponse(
        _stream(consumer, caller.tenant_id, request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _consumer_at_end(bootstrap: str) -> AIOKafkaConsumer:
    """Returns a consumer positioned at the current end of every live partition."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    partitions = [TopicPartition(t.name, p) for t in LIVE_TOPICS for p in range(t.partitions)]
    try:
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for partition in partitions:
            await consumer.position(partition)  # fixes "now": nothing after connecting is missed
    except BaseException:
        await consumer.stop()
        raise
    return consumer


async def _stream(consumer: AIOKafkaConsumer, tenant: str, request: Request) -> AsyncIterator[str]:
    try:
        yield ": connected\n\n"
        while not await request.is_disconnected():
            batches = await consumer.getmany(timeout_ms=int(KEEPALIVE_SECONDS * 1000))
            records = [r for part in batches.values() for r in part]
            if not records:
                yield ": keepalive\n\n"
            for record in records:
                if dict(record.headers).get("velo-tenant-id", b"").decode() == tenant:
                    yield _frame(record.value)
    finally:
        await consumer.stop()


def _frame(value: bytes) -> str:
    event = json.loads(value)
    return f"id: {event['message_id']}\nevent: {event['type']}\ndata: {json.dumps(event)}\n\n"
