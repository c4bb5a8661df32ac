"""Ordering's gate: n requests worked on at once, an ordered request served before new ones."""

from __future__ import annotations

import asyncio

from velo_ordering.gate import PriorityGate


async def _hold(
    gate: PriorityGate, name: str, urgent: bool, went: list[str], go: asyncio.Event
) -> None:
    async with gate.slot(urgent=urgent):
        went.append(name)
        await go.wait()


async def test_urgent_waiters_go_first_and_each_kind_in_the_order_it_came() -> None:
    gate, went, go = PriorityGate(1), [], asyncio.Event()
    first = asyncio.create_task(_hold(gate, "first", False, went, go))
    await asyncio.sleep(0)
    waiting = [
        asyncio.create_task(_hold(gate, name, urgent, went, go))
        for name, urgent in (
            ("new-1", False),
            ("ordered-1", True),
            ("new-2", False),
            ("ordered-2", True),
        )
    ]
    await asyncio.sleep(0)
    assert went == ["first"] and gate.waiting == 4
    go.set()
    await asyncio.gather(first, *waiting)
    assert went == ["first", "ordered-1", "ordered-2", "new-1", "new-2"]


async def test_a_waiter_cancelled_in_the_queue_does_not_keep_a_place() -> None:
    gate, went, go = PriorityGate(1), [], asyncio.Event()
    holder = asyncio.create_task(_hold(gate, "holder", False, went, go))
    await asyncio.sleep(0)
    gone = asyncio.create_task(_hold(gate, "gone", True, went, go))
    later = asyncio.create_task(_hold(gate, "later", False, went, go))
    await asyncio.sleep(0)
    gone.cancel()
    go.set()
    await asyncio.gather(holder, later)
    assert went == ["holder", "later"]
    async with gate.slot():  # and the place is free again afterwards
        pass
    assert gate.waiting == 0


async def test_no_more_than_size_hold_a_place_at_once() -> None:
    gate, inside, most = PriorityGate(3), 0, 0

    async def work(urgent: bool) -> None:
        nonlocal inside, most
        async with gate.slot(urgent=urgent):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.001)
            inside -= 1

    await asyncio.gather(*(work(n % 2 == 0) for n in range(20)))
    assert most == 3
