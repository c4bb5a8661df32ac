"""Never buy twice: ordering killed (SIGKILL) mid-order and restarted still places one order."""

from __future__ import annotations

import pytest

from velo_devinfra.components import Component
from velo_devinfra.process import ManagedProcess
from velotest import eventually

from .conftest import RunningSystem
from .flows import SLOW, first_offer, request_number, request_state, until_status

pytestmark = pytest.mark.infra


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


async def _status_is(api: object, request_id: str, status: str) -> bool:
    return bool((await request_state(api, request_id))["status"] == status)  # type: ignore[arg-type]


def _answers(running: RunningSystem, component: Component) -> bool:
    import httpx

    try:
        return httpx.get(f"{running.url(component.name)}/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
