"""The admin UI's live updates: server-sent events of the caller's tenant only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from .conftest import RunningSystem
from .flows import SLOW, active_number, until_assigned

pytestmark = pytest.mark.infra


async def test_the_event_stream_shows_the_tenants_assignment_and_nothing_of_others(
    running: RunningSystem,
) -> None:
    async with running.api() as acme, running.api("globex", "admin@globex") as globex:
        number = await active_number(acme)
        events: list[dict[str, Any]] = []
        others: list[dict[str, Any]] = []
        connected = [asyncio.Event(), asyncio.Event()]
        async with asyncio.TaskGroup() as group:
            listening = group.create_task(_collect(acme, events, connected[0]))
            spying = group.create_task(_collect(globex, others, connected[1]))
            await asyncio.wait_for(asyncio.gather(*(c.wait() for c in connected)), SLOW)
            await acme.put(f"/v1/numbers/{number}/assignment", json={"outbound_agent": "104"})
            await asyncio.wait_for(listening, SLOW)
            spying.cancel()
    assigned = next(e for e in events if e["type"] == "NumberAssigned")
    assert (assigned["number"], assigned["outbound_agent"]) == (number, "104")
    assert all(e["tenant_id"] == "acme" for e in events)
    assert all(e["tenant_id"] == "globex" for e in others)


async def _collect(
    api: httpx.AsyncClient, into: list[dict[str, Any]], connected: asyncio.Event
) -> None:
    async with api.stream("GET", "/v1/events", timeout=None) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream"), await stream.aread()
        async for line in stream.aiter_lines():
            if line == ": connected":
                connected.set()
            if line.startswith("data: "):
                into.append(json.loads(line.removeprefix("data: ")))
                if into[-1]["type"] == "NumberAssigned":
                    return


async def test_a_stream_resumed_with_last_event_id_gets_what_was_published_while_away(
    running: RunningSystem,
) -> None:
    async with running.api() as acme:
        number = await active_number(acme)
        async with acme.stream("GET", "/v1/events", timeout=None) as stream:
            frames = _frames(stream)
            assert (await anext(frames)) == (None, None)  # connected
            await acme.put(f"/v1/numbers/{number}/assignment", json={"outbound_agent": "105"})
            last_id, _ = await asyncio.wait_for(_until(frames, "NumberAssigned", number), SLOW)
        # away: the number moves to another agent while nobody listens
        await acme.put(f"/v1/numbers/{number}/assignment", json={"outbound_agent": "106"})
        await until_assigned(acme, number, "106")
        headers = {"Last-Event-ID": last_id}
        async with acme.stream("GET", "/v1/events", headers=headers, timeout=None) as stream:
            frames = _frames(stream)
            _, missed = await asyncio.wait_for(_until(frames, "NumberReassigned", number), SLOW)
    assert (missed["from_agent"], missed["to_agent"]) == ("105", "106")


async def _frames(
    stream: httpx.Response,
) -> AsyncIterator[tuple[str | None, dict[str, Any] | None]]:
    """Yields (id, event) per server-sent frame; (None, None) for the `connected` comment."""
    event_id, data = None, None
    async for line in stream.aiter_lines():
        if line == ": connected":
            yield None, None
        elif line.startswith("id: "):
            event_id = line.removeprefix("id: ")
        elif line.startswith("data: "):
            data = json.loads(line.removeprefix("data: "))
        elif not line and data is not None:
            yield event_id, data
            event_id, data = None, None


async def _until(
    frames: AsyncIterator[tuple[str | None, dict[str, Any] | None]], kind: str, number: str
) -> tuple[str, dict[str, Any]]:
    async for event_id, event in frames:
        if event and event["type"] == kind and event["number"] == number:
            assert event_id
            return event_id, event
    raise AssertionError(f"the stream ended before {kind}")
