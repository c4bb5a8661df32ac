"""Work a service runs beside its subscribers: periodic passes and fire-and-forget tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from velo_runtime.logs import get_logger

log = get_logger(__name__)


class Background:
    """Runs periodic loops and fire-and-forget tasks; stops them all on shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._keyed: set[str] = set()

    def spawn(self, work: Awaitable[Any]) -> None:
        """Runs work in the background, logging (never swallowing silently) a failure."""
        task = asyncio.get_running_loop().create_task(_logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def spawn_once(self, key: str, work: Callable[[], Awaitable[Any]]) -> bool:
        """Runs work in the background unless work for key is still running (then the call
        coalesces into it); tells whether it started. Repeats of a trigger — a replayed
        callback, say — cost one run in flight, never one each."""
        if key in self._keyed:
            return False
        self._keyed.add(key)
        self.spawn(_then(work(), lambda: self._keyed.discard(key)))
        return True

    def every(self, seconds: float, work: Callable[[], Awaitable[Any]]) -> None:
        """Runs work now and then every seconds until stopped."""
        self.spawn(_repeat(seconds, work))

    async def stop(self) -> None:
        """Cancels everything still running and waits for it to end."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def being_cancelled() -> bool:
    """Tells whether the running task has been asked to stop.

    A client may turn the cancellation into its own error (PyMongo finishes server selection and
    raises a timeout instead), so a loop that catches errors asks this before it goes on.
    """
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _logged(work: Awaitable[Any]) -> None:
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if being_cancelled():
            raise asyncio.CancelledError from exc
        log.exception("background_work_failed", error=repr(exc))


async def _then(work: Awaitable[Any], done: Callable[[], None]) -> None:
    try:
        await work
    finally:
        done()


async def _repeat(seconds: float, work: Callable[[], Awaitable[Any]]) -> None:
    while True:
        await _logged(work())
        await asyncio.sleep(seconds)
