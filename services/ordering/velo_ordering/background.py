"""Background work of the ordering service: recovery, reconciliation, and one-off nudges."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from velo_contracts.envelope import utc_now
from velo_ordering.driver import Driver
from velo_ordering.outbox import OutboxRelay
from velo_ordering.reconcile import Reconciler
from velo_ordering.store import RequestStore
from velo_runtime import get_logger
from velo_tenants import TenantDirectory

log = get_logger(__name__)
PARALLEL_REQUESTS = 8


class Background:
    """Runs periodic loops and fire-and-forget tasks; stops them all on shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Awaitable[None]) -> None:
        """Runs work in the background, logging (never swallowing silently) a failure."""
        task = asyncio.get_running_loop().create_task(_logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def every(self, seconds: float, work: Callable[[], Awaitable[None]]) -> None:
        """Runs work now and then every seconds until stopped."""
        self.spawn(_repeat(seconds, work))

    async def stop(self) -> None:
        """Cancels everything still running and waits for it to end."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def _logged(work: Awaitable[None]) -> None:
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.exception("background_work_failed", error=repr(exc))


async def _repeat(seconds: float, work: Callable[[], Awaitable[None]]) -> None:
    while True:
        await _logged(work())
        await asyncio.sleep(seconds)


def recovery(
    store: RequestStore, driver: Driver, relays: list[OutboxRelay]
) -> Callable[[], Awaitable[None]]:
    """Returns one recovery pass: resume due requests, publish leftover outboxes."""
    gate = asyncio.Semaphore(PARALLEL_REQUESTS)

    async def advance(key: str) -> None:
        async with gate:
            await driver.advance(key)

    async def recover() -> None:
        due = await store.due(utc_now())
        await asyncio.gather(*(advance(key) for key in due))
        for relay in relays:
            await relay.relay_all()

    return recover


def reconciliation(
    directory: TenantDirectory, reconciler: Reconciler
) -> Callable[[], Awaitable[None]]:
    """Returns one reconciliation pass over every known tenant."""

    async def reconcile_all() -> None:
        for tenant_id in await directory.tenant_ids():
            try:
                await reconciler.reconcile(tenant_id)
            except Exception as exc:  # one tenant's broken account must not stop the others
                log.warning("reconciliation_failed", tenant_id=tenant_id, error=str(exc)[:300])

    return reconcile_all
