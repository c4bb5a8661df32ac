"""The shared DIDWW budget on the real engine: several processes, one key, one schedule."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from velo_didww import Priority, Schedule
from velo_offers import MemoryScheduleStore, MongoScheduleStore, SharedBudget, SharedBudgets
from velo_offers.budget import COLLECTION
from velo_offers.budget_store import ScheduleStore

pytestmark = pytest.mark.infra
KEY = "engine-test-key"
LIMIT = 20


@dataclass
class Taken:
    """What the callers of one test got: each slot with its class, and each wait."""

    slots: list[tuple[float, Priority]] = field(default_factory=list)
    waits: dict[Priority, list[float]] = field(default_factory=dict)

    def of(self, priority: Priority) -> list[float]:
        return [at for at, p in self.slots if p is priority]

    def busiest_second(self) -> int:
        """Most slots in any one-second window (DIDWW's sliding count)."""
        times = sorted(at for at, _ in self.slots)
        start, most = 0, 0
        for end, at in enumerate(times):
            while times[start] <= at - 1.0:
                start += 1
            most = max(most, end - start + 1)
        return most


@pytest.fixture
async def processes(mongo_url: str, mongo_db: Any) -> AsyncIterator[Callable[[], SharedBudget]]:
    """Gives `process()`: the budget of KEY as one more process sees it (its own connection)."""
    clients: list[AsyncMongoClient[dict[str, Any]]] = []

    def process() -> SharedBudget:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
        clients.append(client)
        return SharedBudgets(MongoScheduleStore(client[mongo_db.name][COLLECTION]))(KEY)

    yield process
    for client in clients:
        await client.close()


async def hammer(budget: SharedBudget, priority: Priority, until: float, taken: Taken) -> None:
    while time.time() < until:
        asked = time.time()
        taken.slots.append((await budget.acquire(priority), priority))
        taken.waits.setdefault(priority, []).append(time.time() - asked)


async def now_and_then(budget: SharedBudget, count: int, pause: float, taken: Taken) -> None:
    for _ in range(count):
        await asyncio.sleep(pause)
        asked = time.time()
        taken.slots.append((await budget.acquire(Priority.INTERACTIVE), Priority.INTERACTIVE))
        taken.waits.setdefault(Priority.INTERACTIVE, []).append(time.time() - asked)


async def test_four_processes_hammering_one_key_never_book_more_than_20_in_a_second(
    processes: Callable[[], SharedBudget],
) -> None:
    budgets, taken = [processes() for _ in range(4)], Taken()
    until = time.time() + 3.0
    await asyncio.gather(
        *(hammer(b, Priority.IN_FLIGHT, until, taken) for b in budgets for _ in range(5))
    )
    assert taken.busiest_second() <= LIMIT
    assert len(taken.slots) >= 0.8 * Schedule().rate / Schedule().margin * 3.0
    assert not any(b.falling_back for b in budgets)


async def test_searches_go_before_background_work_while_orders_saturate_the_key(
    processes: Callable[[], SharedBudget],
) -> None:
    ordering_a, ordering_b, reconciler, inventory = (processes() for _ in range(4))
    taken = Taken()
    started = time.time()
    until = started + 3.0
    await asyncio.gather(
        *(hammer(ordering_a, Priority.IN_FLIGHT, until, taken) for _ in range(4)),
        *(hammer(ordering_b, Priority.IN_FLIGHT, until, taken) for _ in range(4)),
        *(hammer(reconciler, Priority.BACKGROUND, until, taken) for _ in range(4)),
        now_and_then(inventory, 10, 0.2, taken),
    )
    assert taken.busiest_second() <= LIMIT
    assert len(taken.of(Priority.INTERACTIVE)) == 10
    assert max(taken.waits[Priority.INTERACTIVE]) < 0.5 + 0.3  # in-flight horizon + slack
    contended = [at for at in taken.of(Priority.BACKGROUND) if started + 0.5 < at < until]
    assert len(contended) <= 2  # background runs on spare capacity only


async def test_background_work_alone_gets_the_whole_rate(
    processes: Callable[[], SharedBudget],
) -> None:
    budgets, taken = [processes() for _ in range(2)], Taken()
    until = time.time() + 2.0
    await asyncio.gather(
        *(hammer(b, Priority.BACKGROUND, until, taken) for b in budgets for _ in range(3))
    )
    assert taken.busiest_second() <= LIMIT
    assert len(taken.slots) >= 0.8 * Schedule().rate / Schedule().margin * 2.0


@pytest.fixture(params=["memory", "engine"])
def store(request: pytest.FixtureRequest) -> ScheduleStore:
    """Each schedule store: the in-memory fake and the real engine pass the same contract."""
    if request.param == "memory":
        return MemoryScheduleStore()
    db = request.getfixturevalue("mongo_db")
    return MongoScheduleStore(db[COLLECTION])


async def test_a_store_books_from_the_earliest_moment_then_one_interval_apart(
    store: ScheduleStore,
) -> None:
    first = await store.book("k", 100.0, 100.5, 0.05, ("a", 100.0))
    second = await store.book("k", 100.0, 100.5, 0.05, ("b", 100.0))
    assert (first.slot, first.next_free) == (100.0, pytest.approx(100.05))
    assert second.slot == pytest.approx(100.05) and set(second.callers) == {"a"}
    later = await store.book("k", 200.0, 200.5, 0.05, ("a", 200.0))
    assert later.slot == 200.0  # an idle key books from now, not from the old schedule


async def test_a_store_books_nothing_beyond_the_latest_moment_and_says_how_far_it_is(
    store: ScheduleStore,
) -> None:
    for _ in range(3):
        await store.book("k", 100.0, 101.0, 0.5, ("a", 100.0))  # 100, 100.5, 101
    refused = await store.book("k", 100.0, 101.0, 0.5, ("a", 100.0))
    assert refused.slot is None and refused.next_free == pytest.approx(101.5)


async def test_a_store_pushes_the_schedule_forward_only(store: ScheduleStore) -> None:
    assert await store.push("k", 150.0)
    assert not await store.push("k", 120.0)
    booked = await store.book("k", 100.0, 200.0, 0.05, ("a", 100.0))
    assert booked.slot == 150.0
