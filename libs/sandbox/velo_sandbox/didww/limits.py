"""The per-API-key request limit (20/s) and injected 429 bursts."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

from velo_sandbox.didww.errors import too_many_requests

WINDOW = 1.0


class KeyRateLimit:
    """Refuses a key's requests beyond `rps` within any one-second window."""

    def __init__(self, rps: float | None = 20.0, clock: Callable[[], float] = time.monotonic):
        self.rps = rps
        self.burst_429 = 0
        self.retry_after = 1
        self._clock = clock
        self._seen: defaultdict[str, deque[float]] = defaultdict(deque)
        self.refused = 0
        self.served: defaultdict[str, int] = defaultdict(int)
        """Requests let through, per key."""
        self.peak: defaultdict[str, int] = defaultdict(int)
        """Most requests of a key let through within one second (the limit is never passed)."""
        self.refused_by_key: defaultdict[str, int] = defaultdict(int)
        """429s sent per key for going over the limit (injected bursts are not counted here)."""

    def check(self, api_key: str) -> None:
        """Counts a request of api_key, raising the 429 error when it is over the limit."""
        if self.burst_429 > 0:
            self.burst_429 -= 1
            self._refuse()
        if self.rps is None:
            return
        now = self._clock()
        seen = self._seen[api_key]
        while seen and seen[0] <= now - WINDOW:
            seen.popleft()
        if len(seen) >= self.rps:
            self.refused_by_key[api_key] += 1
            self._refuse()
        seen.append(now)
        self.served[api_key] += 1
        self.peak[api_key] = max(self.peak[api_key], len(seen))

    def _refuse(self) -> None:
        self.refused += 1
        raise too_many_requests(self.retry_after)
