"""At most n holders at once; urgent waiters go in first, the others in the order they came."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class PriorityGate:
    """A semaphore whose waiters are served urgent-first, first-come within each kind."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @property
    def waiting(self) -> int:
        """How many are waiting (cancelled waiters may still be counted until passed over)."""
        return len(self._waiting)

    @asynccontextmanager
    async def slot(self, *, urgent: bool = False) -> AsyncIterator[None]:
        """Holds one place for the block; waits for it (urgent before the rest) if none is free."""
        if self._free > 0 and not self._waiting:
            self._free -= 1
        else:
            entered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (0 if urgent else 1, next(self._arrivals), entered))
            try:
                await entered
            except asyncio.CancelledError:
                if entered.done() and not entered.cancelled():
                    self._pass_on()  # given the place just as it was cancelled: hand it on
                raise
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        """Gives a freed place to the first live waiter, or frees it."""
        while self._waiting:
            _, _, waiter = heapq.heappop(self._waiting)
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
