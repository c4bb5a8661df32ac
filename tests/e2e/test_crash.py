"""Never buy twice: ordering killed (SIGKILL) mid-order and restarted still places one order."""

from __future__ import annotations

import asyncio

import pytest

from velo_devinfra.components import Component
from velo_devinfra.process import ManagedProcess
from velotest import eventually

from .conftest import RunningSystem
from .flows import SLOW, first_offer, request_number, request_state, until_status

pytestmark = pytest.mark.infra
CLAIM = 60.0
"""How long a request stays claimed by a worker that died (ordering's default claim_seconds)."""


def _ordering(running: RunningSystem) -> tuple[Component, ManagedProcess]:
    system = running.system
    index = next(i for i, c in enumerate(system.components) if c.name == "ordering")
    return system.components[index], system.processes[index]


async def test_ordering_killed_while_the_order_is_pending_orders_once(
    running: RunningSystem,
) -> None:
    component, ordering = _ordering(running)
    async with running.api() as api:
        offer = await first_offer(api, "US", "local")
        body = {"offer_id": offer["offer_id"]}
        request_id = await request_number(api, body, **{"Idempotency-Key": "crash-1"})
        await eventually(lambda: _status_is(api, request_id, "ordering"), timeout=SLOW)

        ordering.kill()
        ordering.start()
        await eventually(lambda: _answers(running, component), timeout=SLOW)
        assert await request_number(api, body, **{"Idempotency-Key": "crash-1"}) == request_id

        await until_status(api, offer["number"], "active")
    assert running.orders_for(request_id) == 1


async def test_twenty_concurrent_requests_with_ordering_killed_midway_order_twenty_once_each(
    running: RunningSystem,
) -> None:
    component, ordering = _ordering(running)
    async with running.api("globex", "admin@globex") as api:
        found = await api.get("/v1/inventory", params={"country": "CA", "type": "local"})
        offers = [o for o in found.json()["items"] if not o["kyc_required"]][:20]
        assert len(offers) == 20, "the sandbox lists too few CA numbers"
        request_ids = await asyncio.gather(
            *(request_number(api, {"offer_id": o["offer_id"]}) for o in offers)
        )
        # Worked on together: several are ordering (waiting on DIDWW) at once before the kill.
        await eventually(lambda: _ordering_at_once(api, request_ids, 5), timeout=SLOW)
        ordering.kill()
        ordering.start()
        await eventually(lambda: _answers(running, component), timeout=SLOW)
        # The requests the killed process was working on wait for its claims to lapse (60 s).
        active = (until_status(api, o["number"], "active", timeout=CLAIM + SLOW) for o in offers)
        await asyncio.gather(*active)
    assert [running.orders_for(r) for r in request_ids] == [1] * 20


async def _ordering_at_once(api: object, request_ids: list[str], at_least: int) -> bool:
    states = await asyncio.gather(*(request_state(api, r) for r in request_ids))  # type: ignore[arg-type]
    return sum(s["status"] in ("ordering", "approved", "active") for s in states) >= at_least


async def _status_is(api: object, request_id: str, status: str) -> bool:
    return bool((await request_state(api, request_id))["status"] == status)  # type: ignore[arg-type]


def _answers(running: RunningSystem, component: Component) -> bool:
    import httpx

    try:
        return httpx.get(f"{running.url(component.name)}/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
