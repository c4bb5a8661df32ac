"""One DIDWW rate budget per API key, shared by every service and instance through the database.

DIDWW allows 20 requests/s per key, counted across everyone who uses it: inventory's searches,
ordering's request chains and its reconciliation, in every instance. A budget per process lets
four processes send 80/s. Splitting 20/s between them by a fixed share wastes what idle callers
leave (a search would get 5/s while nothing else runs). So the schedule of a key
(`velo_didww.schedule`: the GCRA "next free slot" with priority horizons) lives in one document
of the database every one of them already has; taking a slot is one atomic update of that
document (`velo_offers.budget_store`), safe across processes without a lock service or a
transaction. The caller then sleeps until its slot.

The document, `{_id: "didww-rate:<SHA-256 of the key>", next_free, callers, backoffs}`,
never holds the key. `next_free` is epoch seconds by each caller's own clock: hosts sharing a
key keep NTP time (a skew of d ms bunches requests by d ms; the schedule's margin absorbs 50 ms).

- **Fast path.** `next_free` never moves back, so the last value a process read is a lower bound.
  When it already says this class must wait, the process sleeps without asking; and a process has
  at most one update in flight per class (waiters of a class queue in order), so the load on the
  document grows with the number of processes, not with the number of concurrent calls.
- **Database slow or down.** A reservation that fails or takes longer than `timeout` never holds
  a DIDWW call: the process falls back for `fallback_seconds` to its own local schedule at a
  conservative share of the rate, 1 / max(callers seen in the document, `expected_callers`),
  starting after the last slot it knew of (logged once per outage, and again when it recovers).
  Back on the database, it first books past its local slots.
- **DIDWW still answers 429** (a client of the key outside this system): the client calls
  `back_off(Retry-After)`, which pushes the shared `next_free` that far (coalesced: a pause already
  as long is left alone), so every caller in every process holds back once, and the refused call
  takes its turn again — rather than each caller sleeping a second and all retrying at once.
- **On time or not at all.** A caller that wakes later than half the margin after its slot (a
  busy event loop) lets it go and takes the next one; an idle key's slot is booked one database
  answer ahead, so it has not passed by the time the answer arrives.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import AliasChoices, Field
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from velo_contracts.envelope import new_id
from velo_didww import LocalBudget, Priority, Schedule, key_id
from velo_didww.ratelimit import too_late
from velo_didww.schedule import Slot, Wait
from velo_offers.budget_store import (
    Booking,
    BookingConflict,
    Document,
    MongoScheduleStore,
    ScheduleStore,
)
from velo_runtime import get_logger
from velo_runtime.background import being_cancelled

COLLECTION = "didww_rate_budgets"
DATABASE = "velo_didww"
EXPECTED_CALLERS = 4
"""Processes assumed to share a key when the database cannot say (2 services x 2 instances)."""
CALLER_TTL = 300.0
"""A caller that took no slot for this long no longer counts towards the fallback share."""
MAX_LEAD = 0.1
"""Most an idle key's slot is booked ahead of now, to cover the database's answer time."""
FAILURES = (PyMongoError, TimeoutError, BookingConflict)

log = get_logger(__name__)
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class BudgetOptions:
    """How a shared budget schedules and how patient it is with the database."""

    schedule: Schedule = field(default_factory=Schedule)
    expected_callers: int = EXPECTED_CALLERS
    timeout: float = 2.0
    fallback_seconds: float = 5.0


class SharedBudget:
    """The schedule of one DIDWW key, kept in the database and shared by every process."""

    def __init__(
        self,
        store: ScheduleStore,
        doc_id: str,
        options: BudgetOptions | None = None,
        *,
        caller: str | None = None,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.store, self.doc_id = store, doc_id
        self.options = options or BudgetOptions()
        self.caller = caller or new_id()
        self._clock, self._sleep = clock, sleep
        self._known_next_free = 0.0
        self._floor = 0.0
        self._lead = 0.0
        self._callers_seen = 1
        self._fallback: LocalBudget | None = None
        self._fallback_until = 0.0
        self._queues = {priority: asyncio.Lock() for priority in Priority}

    @property
    def falling_back(self) -> bool:
        """Tells whether this process keeps to its local share because the database failed."""
        return self._fallback is not None

    async def acquire(self, priority: Priority) -> float:
        """Waits until a request of this priority may be sent; returns the slot it took."""
        forfeits = 0
        while True:
            async with self._queues[priority]:
                at = await self._take(priority)
            await self._sleep_until(at)
            if not too_late(self.options.schedule, at, self._clock(), forfeits):
                return at
            forfeits += 1  # woke too late to keep the spacing: the slot goes unused

    async def back_off(self, seconds: float) -> None:
        """Pauses the key for seconds in every process (DIDWW answered 429)."""
        until = self._clock() + seconds
        self._known_next_free = max(self._known_next_free, until)
        try:
            pushed = await asyncio.wait_for(
                self.store.push(self.doc_id, until), self.options.timeout
            )
        except FAILURES as error:
            pushed = True
            self._database_failed(error)
        if self._fallback is not None:
            await self._fallback.back_off(seconds)
        if pushed:  # else another caller paused the key at least this long already
            log.warning("didww_rate_limited", budget=self.doc_id[:24], pause_seconds=seconds)

    async def _take(self, priority: Priority) -> float:
        while True:
            decision = await self._decide(priority)
            if isinstance(decision, Slot):
                return decision.at
            await self._sleep_until(decision.until)

    async def _decide(self, priority: Priority) -> Slot | Wait:
        now = self._clock()
        if self._fallback is not None:
            if now < self._fallback_until:
                return self._fallback.reserve(priority)
            self._floor = self._fallback.next_free  # back on the database: book past local slots
            self._known_next_free = max(self._known_next_free, self._floor)
        known = self.options.schedule.reserve(self._known_next_free, now, priority)
        if isinstance(known, Wait):
            return known  # the shared schedule is at least this far ahead: no need to ask
        try:
            return await asyncio.wait_for(self._reserve(priority), self.options.timeout)
        except FAILURES as error:
            return self._database_failed(error).reserve(priority)

    async def _reserve(self, priority: Priority) -> Slot | Wait:
        now, schedule = self._clock(), self.options.schedule
        earliest, horizon = max(now + self._lead, self._floor), schedule.horizons[priority]
        caller = (self.caller, now)
        booking = await self.store.book(
            self.doc_id, earliest, now + horizon, schedule.interval, caller
        )
        self._lead = min(MAX_LEAD, self._clock() - now)  # an idle slot lands after the answer
        self._learn(booking, now)
        self._recovered()
        if booking.slot is None:
            return Wait(until=max(booking.next_free, earliest) - horizon)
        return Slot(booking.slot, booking.next_free)

    def _learn(self, booking: Booking, now: float) -> None:
        self._known_next_free = max(self._known_next_free, booking.next_free)
        recent = {c for c, seen in booking.callers.items() if seen > now - CALLER_TTL}
        self._callers_seen = len(recent | {self.caller})

    def _database_failed(self, error: BaseException) -> LocalBudget:
        if being_cancelled():
            raise asyncio.CancelledError from error
        now = self._clock()
        if self._fallback is None:
            share = 1 / max(self._callers_seen, self.options.expected_callers)
            start = max(self._known_next_free, now)
            schedule = self.options.schedule.scaled(share)
            self._fallback = LocalBudget(schedule, self._clock, self._sleep, start)
            log.warning(
                "didww_budget_unreachable",
                budget=self.doc_id[:24],
                error=repr(error)[:200],
                local_rate=round(schedule.rate, 2),
                retry_database_in=self.options.fallback_seconds,
            )
        self._fallback_until = now + self.options.fallback_seconds
        return self._fallback

    def _recovered(self) -> None:
        if self._fallback is not None:
            self._fallback = None
            log.info("didww_budget_restored", budget=self.doc_id[:24])

    async def _sleep_until(self, moment: float) -> None:
        delay = moment - self._clock()
        if delay > 0:
            await self._sleep(delay)


class SharedBudgets:
    """Gives each DIDWW key its one shared budget (one object per key in this process)."""

    def __init__(
        self, store: ScheduleStore, options: BudgetOptions | None = None, **kw: Any
    ) -> None:
        self.store, self.options, self._kw = store, options or BudgetOptions(), kw
        self.caller = new_id()
        self._budgets: dict[str, SharedBudget] = {}

    def __call__(self, api_key: str) -> SharedBudget:
        """Returns the budget of api_key (stored under a hash of it)."""
        doc_id = f"didww-rate:{key_id(api_key)}"
        if doc_id not in self._budgets:
            self._budgets[doc_id] = SharedBudget(
                self.store, doc_id, self.options, caller=self.caller, **self._kw
            )
        return self._budgets[doc_id]


def shared_budgets(
    mongo: AsyncMongoClient[Document] | None, database: str, options: BudgetOptions | None = None
) -> SharedBudgets | None:
    """Returns the budgets kept in database (None when there is no database or no name)."""
    if mongo is None or not database:
        return None
    return SharedBudgets(MongoScheduleStore(mongo[database][COLLECTION]), options)


def budget_database_setting() -> Any:
    """Returns the settings field naming the budgets' database (VELO_DIDWW_BUDGET_DATABASE),
    one variable for every service, since they must all agree on it."""
    return Field(
        default=DATABASE,
        validation_alias=AliasChoices("VELO_DIDWW_BUDGET_DATABASE", "didww_budget_database"),
        description="Database of the one DIDWW rate budget per API key that every service and "
        "instance shares (VELO_DIDWW_BUDGET_DATABASE); empty: each process keeps its own.",
    )
