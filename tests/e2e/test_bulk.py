"""Bulk requests through the gateway on the whole system: priced before anything is bought, never
more numbers than asked under a kill of ordering, progress consistent on GET and the stream."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from velo_contracts.topics import ORDERING_COMMANDS
from velotest import eventually, read_all

from .conftest import RunningSystem
from .flows import SLOW, number
from .test_crash import _answers, _ordering

pytestmark = pytest.mark.infra


async def _post(api: httpx.AsyncClient, body: dict[str, Any], key: str) -> httpx.Response:
    return await api.post("/v1/number-requests", json=body, headers={"Idempotency-Key": key})


class Watcher:
    """Polls a bulk's progress and checks every answer is consistent with the ones before."""

    def __init__(self, api: httpx.AsyncClient, bulk_id: str) -> None:
        self.api, self.bulk_id = api, bulk_id
        self.seen: list[dict[str, Any]] = []

    async def run(self) -> None:
        while not self.seen or self.seen[-1]["status"] != "done":
            response = await self.api.get(f"/v1/number-requests/bulk/{self.bulk_id}")
            if response.status_code == 200:  # 503 while ordering restarts
                self.check(response.json())
            await asyncio.sleep(0.2)

    def check(self, body: dict[str, Any]) -> None:
        assert body["done"] + body["failed"] + body["pending"] == body["total"], body
        if self.seen:
            assert body["done"] >= self.seen[-1]["done"], (self.seen[-1], body)
            assert body["failed"] >= self.seen[-1]["failed"], (self.seen[-1], body)
        self.seen.append(body)

    def latest(self) -> dict[str, Any]:
        return self.seen[-1] if self.seen else {"done": 0, "pending": 0}


async def _stream(api: httpx.AsyncClient, into: list[dict[str, Any]], ready: asyncio.Event) -> None:
    async with api.stream("GET", "/v1/events", timeout=None) as stream:
        async for line in stream.aiter_lines():
            if line == ": connected":
                ready.set()
            if line.startswith("data: "):
                into.append(json.loads(line.removeprefix("data: ")))


async def test_a_bulk_of_30_with_ordering_killed_midway_ends_with_exactly_30_active_numbers(
    running: RunningSystem,
) -> None:
    component, ordering = _ordering(running)
    body = {"country": "SE", "type": "local", "quantity": 30, "max_monthly_total": "30.00"}
    async with running.api() as api, running.api() as listener:
        streamed: list[dict[str, Any]] = []
        ready = asyncio.Event()
        stream = asyncio.create_task(_stream(listener, streamed, ready))
        await asyncio.wait_for(ready.wait(), SLOW)
        accepted = await _post(api, body, "bulk-30")
        assert accepted.status_code == 202, accepted.text
        bulk_id = accepted.json()["id"]
        assert accepted.headers["Location"] == f"/v1/number-requests/bulk/{bulk_id}"
        cost = accepted.json()["cost"]
        assert (Decimal(cost["monthly_total"]), cost["exact"]) == (Decimal("30.00"), True)

        watcher = Watcher(api, bulk_id)
        watching = asyncio.create_task(watcher.run())
        await eventually(lambda: watcher.latest()["done"] >= 1, timeout=SLOW)
        assert watcher.latest()["pending"] > 0, "the bulk ended before ordering could be killed"
        ordering.kill()
        ordering.start()
        await eventually(lambda: _answers(running, component), timeout=SLOW)
        again = await _post(api, body, "bulk-30")
        assert (again.status_code, again.json()["id"]) == (202, bulk_id)

        await asyncio.wait_for(watching, 180)
        final = watcher.seen[-1]
        assert (final["total"], final["done"], final["failed"]) == (30, 30, 0)
        numbers = {r["number"] for r in final["requests"]}
        assert len(numbers) == 30
        rows = await asyncio.gather(*(number(api, n) for n in numbers))
        assert {r["status"] for r in rows} == {"active"}
        await eventually(lambda: _progressed(streamed, bulk_id, 30), timeout=SLOW)
        stream.cancel()
    assert [running.orders_for(f"{bulk_id}-{i}") for i in range(31)] == [1] * 30 + [0]
    events = _progressed(streamed, bulk_id, 30)
    assert [e["done"] for e in events] == list(range(1, 31))
    assert all(e["done"] + e["failed"] + e["pending"] == 30 for e in events)


def _progressed(streamed: list[dict[str, Any]], bulk_id: str, count: int) -> list[Any] | None:
    unique = {
        e["message_id"]: e
        for e in streamed
        if e["type"] == "BulkProgressed" and e["bulk_id"] == bulk_id
    }
    return list(unique.values()) if len(unique) >= count else None


async def test_a_bulk_above_max_monthly_total_or_the_limit_is_refused_and_nothing_is_sent(
    running: RunningSystem,
) -> None:
    bootstrap = running.system.infra.endpoints.kafka_bootstrap
    before = await _bulk_commands(bootstrap)
    async with running.api() as api:
        body = {"country": "SE", "type": "local", "quantity": 5, "max_monthly_total": "4.99"}
        over = await _post(api, body, "bulk-over-budget")
        too_many = await _post(api, body | {"quantity": 201}, "bulk-too-many")
    problem = over.json()
    assert (over.status_code, problem["code"], problem["field"]) == (
        422,
        "over_budget",
        "max_monthly_total",
    )
    assert Decimal(problem["cost"]["monthly_total"]) == Decimal("5.00")
    assert "nothing was ordered" in problem["detail"]
    assert too_many.status_code == 422 and too_many.json()["field"] == "quantity"
    assert "at most 200" in too_many.json()["detail"]
    assert await _bulk_commands(bootstrap) == before


async def _bulk_commands(bootstrap: str) -> int:
    records = await read_all(bootstrap, ORDERING_COMMANDS.name)
    return sum(dict(r.headers).get("velo-type") == b"RequestNumbers" for r in records)


async def test_a_picked_number_another_tenant_took_fails_visibly_and_the_others_are_active(
    running: RunningSystem,
) -> None:
    component, ordering = _ordering(running)
    async with running.api() as api:
        found = await api.get("/v1/inventory", params={"country": "PL", "type": "local"})
        picked = [o["number"] for o in found.json()["items"][:4]]
        taken = picked[1]
        ordering.kill()  # the bulk waits on its topic while globex gets one of its numbers
        try:
            body = {"country": "PL", "type": "local", "numbers": picked}
            accepted = await _post(api, body, "bulk-picked")
            assert accepted.status_code == 202, accepted.text
            running.sandbox(
                "didww",
                "POST",
                "/_admin/accounts/sandbox-globex-key/dids",
                json={"number": taken.lstrip("+")},
            )
        finally:
            ordering.start()
        await eventually(lambda: _answers(running, component), timeout=SLOW)
        bulk_id = accepted.json()["id"]

        async def settled() -> dict[str, Any] | None:
            body = (await api.get(f"/v1/number-requests/bulk/{bulk_id}")).json()
            return body if body.get("status") == "done" else None

        final = await eventually(settled, timeout=120)
        again = await _post(api, {"country": "PL", "type": "local", "numbers": picked}, "new-key")
    assert (final["done"], final["failed"]) == (3, 1)
    [lost] = [r for r in final["requests"] if r["status"] != "active"]
    assert (lost["number"], lost["status"], lost["reason"]) == (taken, "rejected", "unavailable")
    assert again.status_code == 409 and "already yours" in again.json()["detail"]
