"""The DIDWW rate budget on a fake clock: schedule, priorities, the shared document, fallbacks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from typing import Any

import httpx
import pytest
from pymongo.errors import ServerSelectionTimeoutError
from starlette.applications import Starlette

from velo_didww import LocalBudget, Priority, RetryPolicy, Schedule, key_id
from velo_didww.mapping import MAX_RETRY_AFTER, retry_after
from velo_didww.schedule import Slot, Wait
from velo_offers import BudgetOptions, MemoryScheduleStore, SharedBudget, SharedBudgets
from velo_offers.budget_store import Booking
from velo_sandbox.didww.runtime import Sandbox

INTERVAL = Schedule().interval
KEY = "didww-rate:test"


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class CountingStore(MemoryScheduleStore):
    """The in-memory schedules, counting bookings; `down` makes them fail like a lost server."""

    def __init__(self) -> None:
        super().__init__()
        self.bookings = 0
        self.down = False

    async def book(self, *args: Any) -> Booking:
        self.bookings += 1
        if self.down:
            raise ServerSelectionTimeoutError("no servers")
        return await super().book(*args)


def shared(docs: MemoryScheduleStore, time: FakeTime, **options: Any) -> SharedBudget:
    return SharedBudget(docs, KEY, BudgetOptions(**options), clock=time, sleep=time.sleep)


def test_an_idle_key_gives_a_slot_now_and_the_next_one_an_interval_later() -> None:
    first = Schedule().reserve(next_free=0.0, now=10.0, priority=Priority.IN_FLIGHT)
    assert first == Slot(at=10.0, next_free=10.0 + INTERVAL)
    second = Schedule().reserve(first.next_free, 10.0, Priority.IN_FLIGHT)
    assert isinstance(second, Slot) and second.at == pytest.approx(10.0 + INTERVAL)


def test_twenty_one_slots_never_fit_in_one_second() -> None:
    schedule, next_free, slots = Schedule(), 0.0, []
    for _ in range(21):
        slot = schedule.reserve(next_free, 5.0, Priority.INTERACTIVE)
        assert isinstance(slot, Slot)
        slots.append(slot.at)
        next_free = slot.next_free
    assert slots[20] - slots[0] >= schedule.margin - 1e-9 > 1.0


def test_each_class_books_only_up_to_its_horizon_and_background_least() -> None:
    schedule = Schedule()
    next_free = 10.3  # 0.3 s booked ahead of now = 10.0
    assert schedule.reserve(next_free, 10.0, Priority.BACKGROUND) == Wait(until=pytest.approx(10.2))
    assert isinstance(schedule.reserve(next_free, 10.0, Priority.IN_FLIGHT), Slot)
    assert schedule.reserve(10.9, 10.0, Priority.IN_FLIGHT) == Wait(until=pytest.approx(10.4))
    assert isinstance(schedule.reserve(10.9, 10.0, Priority.INTERACTIVE), Slot)


async def test_a_local_budget_spaces_requests_by_the_interval() -> None:
    time = FakeTime()
    budget = LocalBudget(clock=time, sleep=time.sleep)
    sent = []
    for _ in range(5):
        await budget.acquire(Priority.IN_FLIGHT)
        sent.append(time.now)
    gaps = [b - a for a, b in pairwise(sent)]
    assert gaps == pytest.approx([INTERVAL] * 4)


async def test_background_waits_until_the_backlog_is_within_its_horizon() -> None:
    time = FakeTime()
    budget = LocalBudget(clock=time, sleep=time.sleep)
    for _ in range(10):  # ten in-flight slots booked: 0.525 s ahead
        assert isinstance(budget.reserve(Priority.IN_FLIGHT), Slot)
    start = time.now
    await budget.acquire(Priority.BACKGROUND)
    assert time.now - start == pytest.approx(10 * INTERVAL)  # its slot is after the ten


async def test_a_429_pauses_the_key_once_however_many_callers_report_it() -> None:
    time, docs = FakeTime(), MemoryScheduleStore()
    inventory, ordering = shared(docs, time), shared(docs, time)
    await inventory.acquire(Priority.INTERACTIVE)
    await asyncio.gather(inventory.back_off(2.0), ordering.back_off(2.0))
    assert docs.stored[KEY]["next_free"] == pytest.approx(time.now + 2.0)
    assert docs.stored[KEY]["backoffs"] == 1
    start = time.now
    await ordering.acquire(Priority.IN_FLIGHT)
    assert time.now - start == pytest.approx(2.0)


async def test_two_processes_take_distinct_slots_of_one_shared_schedule() -> None:
    time, docs = FakeTime(), MemoryScheduleStore()
    budgets = [shared(docs, time), shared(docs, time)]
    booked = []
    for i in range(6):
        budget = budgets[i % 2]
        decision = await budget._decide(Priority.IN_FLIGHT)
        assert isinstance(decision, Slot)
        booked.append(decision.at)
    gaps = [b - a for a, b in pairwise(booked)]
    assert gaps == pytest.approx([INTERVAL] * 5)
    assert len(docs.stored[KEY]["callers"]) == 2


async def test_a_key_is_kept_under_its_hash_never_in_the_clear() -> None:
    docs, time = MemoryScheduleStore(), FakeTime()
    budgets = SharedBudgets(docs, clock=time, sleep=time.sleep)
    assert budgets("secret-key-123") is budgets("secret-key-123")
    await budgets("secret-key-123").acquire(Priority.INTERACTIVE)
    assert "secret-key-123" not in repr(docs.stored)
    assert list(docs.stored) == [f"didww-rate:{key_id('secret-key-123')}"]


async def test_a_process_that_knows_it_must_wait_does_not_ask_the_database() -> None:
    time, docs = FakeTime(), CountingStore()
    budget = shared(docs, time)
    await budget.back_off(1.0)
    booked = docs.bookings
    decision = await budget._decide(Priority.BACKGROUND)
    assert isinstance(decision, Wait) and docs.bookings == booked


async def test_without_the_database_a_process_keeps_to_its_share_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time, docs = FakeTime(), CountingStore()
    budget = shared(docs, time, expected_callers=4, fallback_seconds=5.0)
    docs.down = True
    sent = []
    for _ in range(4):
        await budget.acquire(Priority.IN_FLIGHT)
        sent.append(time.now)
    assert budget.falling_back and docs.bookings == 1  # asked once, then kept to itself
    gaps = [b - a for a, b in pairwise(sent)]
    assert gaps == pytest.approx([4 * INTERVAL] * 3)  # a quarter of the rate


async def test_back_on_the_database_a_process_books_past_its_local_slots() -> None:
    time, docs = FakeTime(), CountingStore()
    budget = shared(docs, time, fallback_seconds=0.5)
    docs.down = True
    for _ in range(3):
        await budget._decide(Priority.INTERACTIVE)  # three local slots, 0.21 s apart
    local_next = budget._fallback.next_free if budget._fallback else 0.0
    docs.down = False
    time.now += 0.55  # fallback over; the local schedule still runs 0.08 s ahead
    decision = await budget._decide(Priority.INTERACTIVE)
    assert not budget.falling_back
    assert isinstance(decision, Slot) and decision.at == pytest.approx(max(local_next, time.now))


async def test_a_slow_database_never_holds_a_didww_call() -> None:
    class Stuck(MemoryScheduleStore):
        async def book(self, *args: Any) -> Booking:
            await asyncio.Event().wait()
            raise AssertionError("never answers")

    budget = SharedBudget(Stuck(), KEY, BudgetOptions(timeout=0.05))
    await asyncio.wait_for(budget.acquire(Priority.INTERACTIVE), timeout=2.0)
    assert budget.falling_back


def test_retry_after_reads_seconds_an_http_date_or_one_window_and_is_capped() -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

    def after(headers: dict[str, str]) -> float:
        return retry_after(httpx.Response(429, headers=headers), now=now)

    assert after({"Retry-After": "3"}) == 3.0
    assert after({"Retry-After": format_datetime(now + timedelta(seconds=7), usegmt=True)}) == 7
    assert after({}) == 1.0 and after({"Retry-After": "soon"}) == 1.0
    assert after({"Retry-After": "86400"}) == MAX_RETRY_AFTER


async def test_a_429_hands_retry_after_to_the_budget_instead_of_sleeping(
    app: Starlette, sandbox: Sandbox, client_factory: Any
) -> None:
    class Recording:
        def __init__(self) -> None:
            self.acquired: list[Priority] = []
            self.paused: list[float] = []

        async def acquire(self, priority: Priority) -> float:
            self.acquired.append(priority)
            return 0.0

        async def back_off(self, seconds: float) -> None:
            self.paused.append(seconds)

    budget = Recording()
    sandbox.limits.burst_429, sandbox.limits.retry_after = 1, 30
    client = client_factory(
        "sandbox-acme-key",
        budget=budget,
        priority=Priority.BACKGROUND,
        retry=RetryPolicy(attempts=3),
    )
    async with client:
        await asyncio.wait_for(client.get_balance(), timeout=5)  # not 30 s: the budget waits
    assert budget.paused == [30.0]
    assert budget.acquired == [Priority.BACKGROUND, Priority.BACKGROUND]
