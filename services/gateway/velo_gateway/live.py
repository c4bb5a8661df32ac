"""Server-sent events: the caller's tenant's number, routing, assignment and alert events, live.

Each event's `id` is where the stream stood after it: the next offset of every live partition. A
client that reconnects with `Last-Event-ID` (browsers' EventSource do it by themselves) resumes
exactly there, so nothing published while it was away is lost; without one it starts at "now".
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from velo_contracts import Role
from velo_contracts.topics import ASSIGNMENT_EVENTS, ORDERING_EVENTS, ROUTING_EVENTS
from velo_gateway.auth import AnyUser, Caller
from velo_gateway.context import Deps
from velo_gateway.problems import Problem

router = APIRouter(prefix="/v1", tags=["live"])
LIVE_TOPICS = (ORDERING_EVENTS, ROUTING_EVENTS, ASSIGNMENT_EVENTS)
PARTITIONS = tuple(TopicPartition(t.name, p) for t in LIVE_TOPICS for p in range(t.partitions))
KEEPALIVE_SECONDS = 15.0
ID_VERSION = "p1"
"""Names the layout of an event id (the partitions above, in order); another layout is refused."""

Positions = dict[TopicPartition, int]


@router.get(
    "/events",
    responses={200: {"content": {"text/event-stream": {}}, "description": "The event stream."}},
)
async def events(
    caller: AnyUser,
    gw: Deps,
    request: Request,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Streams the tenant's events (`id`, `event: <type>`, `data: <event JSON>`), from now on or,
    with `Last-Event-ID`, from just after that event."""
    resume = parse_event_id(last_event_id) if last_event_id else None
    consumer, positions = await _consumer_at(gw.settings.kafka_bootstrap, resume)
    return StreamingResponse(
        _stream(consumer, positions, caller, request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def event_id(positions: Positions) -> str:
    """Returns the id of the stream's place: the next offset of each live partition."""
    return ".".join([ID_VERSION, *(str(positions[p]) for p in PARTITIONS)])


def parse_event_id(value: str) -> Positions:
    """Returns the place an event id names; 400 when it is not one this stream gave."""
    version, *offsets = value.strip().split(".")
    if version != ID_VERSION or len(offsets) != len(PARTITIONS):
        raise _not_an_id()
    if not all(o.isdigit() and len(o) < 19 for o in offsets):
        raise _not_an_id()
    return {p: int(o) for p, o in zip(PARTITIONS, offsets, strict=True)}


def _not_an_id() -> Problem:
    detail = "Last-Event-ID is not an event id of this stream; reconnect without it to start now"
    return Problem(400, "Unknown Last-Event-ID", detail, field="Last-Event-ID")


async def _consumer_at(
    bootstrap: str, resume: Positions | None
) -> tuple[AIOKafkaConsumer, Positions]:
    """Returns a consumer at resume (or at the end of every live partition) and its place."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        consumer.assign(list(PARTITIONS))
        if resume is None:
            await consumer.seek_to_end(*PARTITIONS)
        else:
            for partition, offset in resume.items():
                consumer.seek(partition, offset)
        # fixes the place: nothing published after connecting is missed
        positions = {p: await consumer.position(p) for p in PARTITIONS}
    except BaseException:
        await consumer.stop()
        raise
    return consumer, positions


async def _stream(
    consumer: AIOKafkaConsumer, positions: Positions, caller: Caller, request: Request
) -> AsyncIterator[str]:
    try:
        # the place goes with the comments too, so a client that saw no event yet still resumes
        yield f": connected\nid: {event_id(positions)}\n\n"
        while not await request.is_disconnected():
            batches = await consumer.getmany(timeout_ms=int(KEEPALIVE_SECONDS * 1000))
            if not batches:
                yield f": keepalive\nid: {event_id(positions)}\n\n"
            for partition, records in batches.items():
                for record in records:
                    positions[partition] = record.offset + 1
                    event = _visible(record.headers, record.value, caller)
                    if event is not None:
                        yield _frame(event, event_id(positions))
    finally:
        await consumer.stop()


def _visible(
    headers: list[tuple[str, bytes]], value: bytes | None, caller: Caller
) -> dict[str, object] | None:
    """Returns the event if the caller may see it: their tenant's, and alerts meant for them."""
    if dict(headers).get("velo-tenant-id", b"").decode() != caller.tenant_id or value is None:
        return None
    event: dict[str, object] = json.loads(value)
    if event.get("type") == "AdminAlertRaised":
        recipient = event.get("recipient")
        if recipient not in (None, caller.user_id) or caller.role is not Role.ADMIN:
            return None
    return event


def _frame(event: dict[str, object], id_: str) -> str:
    return f"id: {id_}\nevent: {event['type']}\ndata: {json.dumps(event)}\n\n"
