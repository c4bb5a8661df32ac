"""Identical concurrent reads share one DIDWW call; slow-moving results may be kept briefly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any


class Coalescer:
    """Runs one call per key at a time for all concurrent askers; keeps results for ttl seconds."""

    def __init__(self, ttl: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}
        self._kept: dict[Hashable, tuple[float, Any]] = {}

    async def get(self, key: Hashable, fetch: Callable[[], Awaitable[Any]]) -> Any:
        """Returns the kept result of key, joins the call in flight, or makes the call."""
        kept = self._kept.get(key)
        if kept is not None and self.clock() < kept[0]:
            return kept[1]
        if key in self._inflight:
            return await asyncio.shield(self._inflight[key])
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await fetch()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: joiners re-raise it, nobody else must
            raise
        finally:
            del self._inflight[key]
        future.set_result(result)
        if self.ttl > 0:
            self._kept[key] = (self.clock() + self.ttl, result)
        return result

    def forget(self, key: Hashable) -> None:
        """Drops the kept result of key (the next get calls again)."""
        self._kept.pop(key, None)
