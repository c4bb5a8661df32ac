"""Background work: repeats of a trigger coalesce into the run in flight, and stopping stops
even a loop whose work turns the cancellation into an error of its own (as PyMongo does)."""

from __future__ import annotations

import asyncio

from velo_runtime.background import Background, being_cancelled
from velotest import eventually


async def test_repeats_while_a_run_is_in_flight_coalesce_into_it() -> None:
    tasks = Background()
    release = asyncio.Event()
    runs: list[str] = []

    async def reread(key: str) -> None:
        runs.append(key)
        await release.wait()

    started = [tasks.spawn_once("order-1", lambda: reread("order-1")) for _ in range(20)]
    other = tasks.spawn_once("order-2", lambda: reread("order-2"))
    await eventually(lambda: len(runs) == 2)
    assert (started.count(True), started.count(False), other) == (1, 19, True)

    release.set()
    await eventually(lambda: tasks.spawn_once("order-1", lambda: reread("order-1")))
    await eventually(lambda: len(runs) == 3)
    assert runs == ["order-1", "order-2", "order-1"]  # after it ended, the next one runs
    await tasks.stop()


async def test_stop_ends_a_loop_whose_work_swallows_the_cancellation() -> None:
    tasks = Background()
    passes: list[int] = []

    async def stubborn() -> None:
        passes.append(1)
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            raise TimeoutError("server selection timed out") from None  # what PyMongo does

    tasks.every(0.01, stubborn)
    await eventually(lambda: passes)
    async with asyncio.timeout(5):
        await tasks.stop()
    assert passes == [1]


async def test_being_cancelled_is_false_in_ordinary_work() -> None:
    assert not being_cancelled()
