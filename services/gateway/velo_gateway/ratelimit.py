"""A per-tenant token bucket on writes (per gateway instance)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from velo_gateway.problems import Problem


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class WriteLimiter:
    """Lets each tenant make `burst` writes at once, refilled at `per_minute`."""

    per_minute: int
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, tenant_id: str) -> None:
        """Spends one write of the tenant's, or raises a 429 problem saying when to retry."""
        now = self.clock()
        bucket = self._buckets.setdefault(tenant_id, _Bucket(self.burst, now))
        rate = self.per_minute / 60
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens < 1:
            wait = (1 - bucket.tokens) / rate
            raise Problem(
                429,
                "Too many writes",
                f"this tenant may make {self.per_minute} changes a minute; retry in {wait:.1f}s",
                retry_after=round(wait, 1),
            )
        bucket.tokens -= 1
