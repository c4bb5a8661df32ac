"""What a DIDWW client spends: a `Budget`; `LocalBudget` keeps one key's schedule in this process.

A client takes a slot from its budget before every request and tells it when DIDWW answered 429
anyway. Where several processes share a key, the services pass a budget kept in their database
(`velo_offers.budget.SharedBudget`); without one (unit tests, scripts, the CLI) a client uses
the process-wide `local_budget` of its key. Both follow the one rule of `velo_didww.schedule`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from velo_didww.schedule import (
    DEFAULT_RATE,
    MAX_FORFEITS,
    Priority,
    Schedule,
    Slot,
    Wait,
    backed_off,
)

log = logging.getLogger("velo_didww")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Budget(Protocol):
    """The request budget of one DIDWW key."""

    async def acquire(self, priority: Priority) -> float:
        """Waits until a request of this priority may be sent; returns the slot it took."""

    async def back_off(self, seconds: float) -> None:
        """Pauses the key for seconds: DIDWW refused a request for the rate (HTTP 429)."""


class LocalBudget:
    """One key's schedule kept in this process (thread-safe)."""

    def __init__(
        self,
        schedule: Schedule | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        next_free: float = 0.0,
    ) -> None:
        self.schedule = schedule or Schedule()
        self._clock, self._sleep = clock, sleep
        self._next_free = next_free
        self._lock = threading.Lock()

    @property
    def next_free(self) -> float:
        """The earliest moment the next request may go."""
        return self._next_free

    def reserve(self, priority: Priority) -> Slot | Wait:
        """Takes the next slot for priority now, or says until when to wait."""
        with self._lock:
            decision = self.schedule.reserve(self._next_free, self._clock(), priority)
            if isinstance(decision, Slot):
                self._next_free = decision.next_free
            return decision

    async def acquire(self, priority: Priority = Priority.IN_FLIGHT) -> float:
        """Waits until a request of this priority may be sent; returns the slot it took."""
        forfeits = 0
        while True:
            decision = self.reserve(priority)
            moment = decision.at if isinstance(decision, Slot) else decision.until
            delay = moment - self._clock()
            if delay > 0:
                await self._sleep(delay)
            if isinstance(decision, Slot):
                if not too_late(self.schedule, decision.at, self._clock(), forfeits):
                    return decision.at
                forfeits += 1

    async def back_off(self, seconds: float) -> None:
        """Pauses the key for seconds."""
        with self._lock:
            self._next_free = backed_off(self._next_free, self._clock(), seconds)


def too_late(schedule: Schedule, slot: float, now: float, forfeits: int) -> bool:
    """Tells whether a caller woke too late to use its slot (and may still let it go)."""
    late = now - slot > schedule.late_limit
    if late and forfeits >= MAX_FORFEITS:
        log.warning("didww slot late", extra={"late_seconds": round(now - slot, 3)})
        return False
    return late


_shared: dict[tuple[str, float], LocalBudget] = {}
_shared_lock = threading.Lock()


def key_id(api_key: str) -> str:
    """Returns the name a key's budget is kept under: a SHA-256 of the key, never the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def local_budget(api_key: str, rate: float = DEFAULT_RATE) -> LocalBudget:
    """Returns the process-wide budget of api_key, shared by every client in this process."""
    with _shared_lock:
        return _shared.setdefault((key_id(api_key), rate), LocalBudget(Schedule(rate)))
