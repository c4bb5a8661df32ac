"""Background passes of the ordering service: recovery of due requests and reconciliation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from velo_contracts.envelope import utc_now
from velo_ordering.driver import Driver
from velo_ordering.reconcile import Reconciler
from velo_ordering.store import RequestStore
from velo_runtime import get_logger
from velo_runtime.background import Background, being_cancelled
from velo_runtime.outbox import OutboxRelay
from velo_tenants import TenantDirectory

__all__ = ["Background", "reconciliation", "recovery"]

log = get_logger(__name__)


def recovery(
    store: RequestStore, driver: Driver, relays: list[OutboxRelay]
) -> Callable[[], Awaitable[None]]:
    """Returns one recovery pass: resume due requests (as many at once as the driver allows),
    publish leftover outboxes."""

    async def recover() -> None:
        due = await store.due(utc_now())
        await asyncio.gather(*(driver.advance(key) for key in due))
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
                if being_cancelled():
                    raise asyncio.CancelledError from exc
                log.warning("reconciliation_failed", tenant_id=tenant_id, error=str(exc)[:300])

    return reconcile_all
