"""Brings PortSIP to the desired state tenant by tenant: on a change, when a retry is due, and
every reconcile interval (which repairs drift); then relays the events the outcomes produced."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress

from velo_contracts.tenants import TenantConfigured
from velo_contracts.topics import ROUTING_EVENTS
from velo_portsip import DidPool, NotFound, PoolInUse, PortsipError, ValidationFailed
from velo_runtime import Backoff, Publisher, get_logger, tracing
from velo_runtime.background import being_cancelled
from velo_runtime.claims import Claims
from velo_runtime.documents import Document
from velo_runtime.outbox import TRACE, OutboxRelay
from velo_sip_routing.directory import DirectoryCache
from velo_sip_routing.domain import Route, SetPool, concerns, did_of
from velo_sip_routing.outcomes import applied_event, failure_events
from velo_sip_routing.pbx import PbxClients, carry_out, read_pbx
from velo_sip_routing.planner import plan
from velo_sip_routing.settings import SipRoutingSettings
from velo_sip_routing.store import RouteStore, route_of
from velo_tenants import TenantDirectory, UnknownTenant

log = get_logger(__name__)


class Converger:
    """Runs the convergence loop in the background of the service."""

    def __init__(
        self,
        settings: SipRoutingSettings,
        store: RouteStore,
        tenants: TenantDirectory,
        clients: PbxClients,
        directory: DirectoryCache,
        publisher: Publisher,
        claims: Claims,
    ):
        self.settings = settings
        self.store = store
        self.tenants = tenants
        self.clients = clients
        self.directory = directory
        self.outbox = OutboxRelay.of(store.routes, publisher, ROUTING_EVENTS, store.docs)
        self.claims = claims
        self.backoff = Backoff(settings.apply_backoff_seconds, settings.apply_backoff_max_seconds)
        self._wake = asyncio.Event()
        self._pending: set[str] = set()
        self._wakers: dict[str, dict[str, str]] = {}  # trace context of the change, by tenant
        self._last_sweep = 0.0
        self._task: asyncio.Task[None] | None = None

    def wake(self, tenant_id: str) -> None:
        """Asks for the tenant to be converged soon."""
        self._pending.add(tenant_id)
        self._wakers[tenant_id] = tracing.carrier()
        self._wake.set()

    async def start(self) -> None:
        """Starts the loop."""
        self._task = asyncio.create_task(self._run(), name="sip-routing-converger")

    async def stop(self) -> None:
        """Stops the loop and closes the PortSIP clients."""
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.clients.close()

    async def _run(self) -> None:
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.tick_seconds)
            self._wake.clear()
            try:
                await self.run_once()
            except Exception as exc:  # the loop must outlive any one bad pass …
                if being_cancelled():  # … but not its own stop
                    raise asyncio.CancelledError from exc
                log.exception("convergence_pass_failed", error=repr(exc))

    async def run_once(self) -> None:
        """Converges every tenant that needs it now, then relays pending events."""
        tenants, self._pending = self._pending | await self.store.due_tenants(), set()
        if time.monotonic() - self._last_sweep >= self.settings.reconcile_interval_seconds:
            self._last_sweep = time.monotonic()
            tenants |= await self.store.routed_tenants()
        chosen = [t for t in tenants if self.settings.serves(t)]
        await asyncio.gather(*(self.converge(t) for t in chosen))
        await self.outbox.relay_all()

    async def converge(self, tenant_id: str) -> None:
        """Makes PortSIP hold exactly the tenant's desired routing (one instance at a time)."""
        if await self.claims.take(tenant_id, create=True) is None:
            return  # another instance converges it now; what it misses stays due
        try:
            await self._converge(tenant_id)
        finally:
            await self.claims.give(tenant_id)

    async def _converge(self, tenant_id: str) -> None:
        docs = await self.store.of_tenant(tenant_id)
        if not docs:
            return
        causes = [
            self._wakers.pop(tenant_id, None),
            *(d.get(TRACE) for d in docs if d.get("dirty")),
        ]
        with tracing.continued("converge tenant", *causes):  # one trace with the change
            await self._converge_docs(tenant_id, docs)

    async def _converge_docs(self, tenant_id: str, docs: list[Document]) -> None:
        try:
            tenant = await self.tenants.get(tenant_id)
        except UnknownTenant:
            log.warning("tenant_not_configured_yet", tenant_id=tenant_id)
            return
        try:
            refused = await self._apply(tenant, docs)
        except PortsipError as exc:
            await self._failed(docs, exc)
            return
        for doc in (d for d in docs if d.get("dirty")):
            with tracing.within(doc.get(TRACE)):  # each number's outcome in its own change's trace
                await self._settle(doc, refused, tenant.portsip.default_destination)

    async def _settle(self, doc: Document, refused: dict[str, PortsipError], default: str) -> None:
        if (refusal := refused.get(did_of(doc["number"]))) is not None:
            await self._refused(doc, refusal)
            return
        event = applied_event(doc, default)
        if written := await self.store.applied(doc, [event]):
            await self.outbox.relay_document(written)

    async def _apply(
        self, tenant: TenantConfigured, docs: list[Document]
    ) -> dict[str, PortsipError]:
        """Carries out the plan; returns the refusals of single numbers' changes (by DID) —
        they hold up nobody else. A refusal of a tenant-wide change, or PortSIP unreachable,
        is raised: nothing can be said applied then."""
        routes = [route_of(doc) for doc in docs]
        agents = {r.outbound_agent for r in routes if r.outbound_agent}
        agents |= {a for doc in docs for a in doc.get("former_agents", [])}
        client = await self.clients.get(tenant)
        pbx = await read_pbx(client, tenant.portsip.trunk_name, routes, agents)
        settings = self.settings
        actions = plan(routes, pbx, tenant.portsip.default_destination, settings.presence_priority)
        refused: dict[str, PortsipError] = {}
        held = DidPool.parse(pbx.pool)
        for action in actions:
            if isinstance(action, SetPool) and refused:  # don't add again what was turned down
                action = SetPool(str(_without(DidPool.parse(action.did_numbers), refused, held)))
            try:
                await carry_out(client, pbx.provider_id, action)
            except PoolInUse as exc:  # something we do not manage uses a number given up
                stuck = _in_use(exc, routes)
                log.warning("portsip_pool_in_use", dids=sorted(stuck), error=exc.message)
                refused |= dict.fromkeys(stuck, exc)
                # the others still go (a second refusal here is the tenant's, raised)
                await carry_out(client, pbx.provider_id, _keeping(action, exc))
            except (ValidationFailed, NotFound) as exc:
                dids = concerns(action) or _added(action, held, routes)
                if not dids:
                    raise
                log.warning("portsip_refused_number", dids=sorted(dids), error=exc.message)
                refused |= dict.fromkeys(dids, exc)
        if actions and not any(doc.get("dirty") for doc in docs):
            log.warning("drift_repaired", tenant_id=tenant.tenant_id, changes=len(actions))
        await self.directory.refresh_if_stale(tenant.tenant_id, client)
        return refused

    async def _refused(self, doc: Document, exc: PortsipError) -> None:
        """Tells at once that PortSIP turned this number's change down (retried meanwhile, in
        case the target appears)."""
        retry_in = self.backoff.delay(int(doc.get("attempts", 0)) + 1)
        if updated := await self.store.failed(doc, exc.message, retry_in):
            events = failure_events(updated, refused=True)
            if reported := await self.store.report_failure(updated, events):
                await self.outbox.relay_document(reported)

    async def _failed(self, docs: list[Document], exc: PortsipError) -> None:
        log.warning("portsip_apply_failed", error=exc.message, code=exc.code)
        for doc in (d for d in docs if d.get("dirty")):
            retry_in = self.backoff.delay(int(doc.get("attempts", 0)) + 1)
            updated = await self.store.failed(doc, exc.message, retry_in)
            if not updated or updated["attempts"] < self.settings.failure_alert_threshold:
                continue
            if reported := await self.store.report_failure(updated, failure_events(updated)):
                await self.outbox.relay_document(reported)


def _added(action: object, held: DidPool, routes: list[Route]) -> frozenset[str]:
    """The numbers a pool change adds. PortSIP refuses a number another tenant's pool still
    holds (released there, not yet removed): that number waits and the rest goes on — the
    other tenant's own pass removes it, where before both tenants' passes failed for good."""
    if not isinstance(action, SetPool):
        return frozenset()
    return frozenset(r.did for r in routes if r.present and r.did not in held)


def _in_use(exc: PoolInUse, routes: list[Route]) -> frozenset[str]:
    """The numbers given up that a rule or caller ID made outside VeloConnect still uses (by
    hand in PortSIP, say): their removal waits, and says what holds it, until that is gone."""
    used = DidPool.parse(";".join(exc.usages))
    return frozenset(r.did for r in routes if r.did in used)


def _keeping(action: object, exc: PoolInUse) -> SetPool:
    """The pool change without dropping the numbers still in use."""
    assert isinstance(action, SetPool)  # only a pool change raises PoolInUse
    return SetPool(str(DidPool.parse(";".join([action.did_numbers, *exc.usages]))))


def _without(pool: DidPool, refused: dict[str, PortsipError], held: DidPool) -> DidPool:
    for did in refused:
        if did not in held:
            pool = pool.remove(did)
    return pool
