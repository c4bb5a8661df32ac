"""Client-side rate limit: one GCRA bucket per API key, shared by every client in the process."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Callable

DEFAULT_RATE = 20.0
"""DIDWW's documented limit: 20 requests per second per API key."""
JITTER_MARGIN = 1.05
"""Spaces requests 5% wider than the rate, so network jitter cannot bunch 21 into one second."""


class RateLimiter:
    """Spaces requests to at most `rate` per second, `burst` back to back (thread-safe GCRA)."""

    def __init__(
        self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = JITTER_MARGIN / rate
        self.tolerance = (max(burst, 1) - 1) * self.interval
        self._clock = clock
        self._theoretical_arrival = 0.0
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Claims the next slot and returns how many seconds to wait before using it."""
        with self._lock:
            now = self._clock()
            arrival = max(self._theoretical_arrival, now)
            self._theoretical_arrival = arrival + self.interval
            return max(0.0, arrival - self.tolerance - now)

    async def acquire(self) -> None:
        """Waits until a request may be sent."""
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)


_shared: dict[tuple[str, float, int], RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(api_key: str, rate: float = DEFAULT_RATE, burst: int = 1) -> RateLimiter:
    """Returns the process-wide limiter of api_key (stored under a hash, never the key)."""
    digest = hashlib.sha256(api_key.encode()).hexdigest()
    with _shared_lock:
        return _shared.setdefault((digest, rate, burst), RateLimiter(rate, burst))
