"""The admin UI's live updates: server-sent events of the caller's tenant only."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from .conftest import RunningSystem
from .flows import SLOW, active_number

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
