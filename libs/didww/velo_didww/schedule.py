"""The rate schedule of one DIDWW key: GCRA "next free slot" with priority horizons (pure).

DIDWW allows 20 requests/s per API key. The schedule keeps one number, `next_free`: the earliest
moment the next request may be sent. Taking a slot moves it on by one `interval` (1/rate, widened
by `margin` so that jitter between taking a slot and DIDWW seeing the request cannot bunch 21
requests into one second). `next_free` never moves back, so anyone who has seen it knows a lower
bound of the real one — what lets a process skip a pointless round trip (see `SharedBudget`).

Priorities are horizons: a class may book a slot only while the schedule is booked no further
ahead than its horizon; above it the caller waits until the backlog has drained to it.

| class | horizon | under contention |
|---|---|---|
| interactive: an admin's search | 2.0 s | books past every other class |
| in flight: an accepted request or release | 0.5 s | delays a search by at most 0.5 s |
| background: reconciliation, drift checks | 0.1 s | delays others by 2 slots at most |

Background thus runs on spare capacity only.

So a lower class always leaves the key's near future to the higher ones, and it is starved only
while the higher classes together ask for the whole rate. The decisions here take the time as an
argument (no clock, no I/O): the local and the shared budget apply the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum

DEFAULT_RATE = 20.0
"""DIDWW's documented limit: 20 requests per second per API key."""
JITTER_MARGIN = 1.05
"""Spaces requests 5% wider than the rate (19/s of DIDWW's 20): 21 slots span 1.05 s, so requests
may reach DIDWW up to 50 ms unevenly late (a busy event loop, the way over the network) and still
not make 21 in one second."""


class Priority(IntEnum):
    """Who is waiting for a DIDWW call; a lower value goes first under contention."""

    INTERACTIVE = 0
    IN_FLIGHT = 1
    BACKGROUND = 2


HORIZONS: Mapping[Priority, float] = {
    Priority.INTERACTIVE: 2.0,
    Priority.IN_FLIGHT: 0.5,
    Priority.BACKGROUND: 0.1,
}
"""How far ahead (seconds) each class may book the key's schedule."""
TOLERANCE = 1e-6
"""Rounding slack: a caller that slept until its class's moment gets the slot."""
MAX_FORFEITS = 5
"""Slots a caller may let go for waking too late before it sends anyway (and says so)."""


@dataclass(frozen=True)
class Slot:
    """A reserved moment to send one request, and the schedule's next free slot after it."""

    at: float
    next_free: float


@dataclass(frozen=True)
class Wait:
    """No slot for this class now; the backlog is back within its horizon at `until`."""

    until: float


@dataclass(frozen=True)
class Schedule:
    """The rule of one key's schedule: its rate, safety margin and priority horizons."""

    rate: float = DEFAULT_RATE
    margin: float = JITTER_MARGIN
    horizons: Mapping[Priority, float] = field(default_factory=lambda: dict(HORIZONS))

    @property
    def interval(self) -> float:
        """Seconds between two slots."""
        return self.margin / self.rate

    @property
    def late_limit(self) -> float:
        """How late a request may still go on its slot: half the margin (25 ms at 5%).

        Slots k and k+20 are `margin` seconds apart, so requests sent at most this late still
        reach DIDWW more than a second apart unless the way there adds the other half. A caller
        that wakes later (a busy event loop) lets its slot go and takes the next one.
        """
        return (self.margin - 1.0) / 2

    def reserve(self, next_free: float, now: float, priority: Priority) -> Slot | Wait:
        """Takes the next slot for priority, or says until when that class must wait."""
        start = max(next_free, now)
        horizon = self.horizons[priority]
        if start - now > horizon + TOLERANCE:
            return Wait(until=start - horizon)
        return Slot(at=start, next_free=start + self.interval)

    def scaled(self, share: float) -> Schedule:
        """Returns the same rule at a share of the rate (a caller's part when it cannot agree)."""
        return Schedule(self.rate * share, self.margin, self.horizons)


def backed_off(next_free: float, now: float, seconds: float) -> float:
    """Returns next_free pushed to at least now + seconds (DIDWW answered 429: pause the key)."""
    return max(next_free, now + seconds)
