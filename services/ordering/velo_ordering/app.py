"""Composition root of the ordering service."""

from __future__ import annotations

from functools import partial

from faststream.kafka import KafkaRouter
from prometheus_client import Counter

from velo_contracts import (
    ReleaseNumber,
    RequestNumber,
    RequestNumbers,
    RoutingConfigured,
    RoutingFailed,
    RoutingRemoved,
    SubmitRegistration,
)
from velo_contracts.envelope import new_id
from velo_contracts.events import RoutingEvent
from velo_contracts.topics import ORDERING_COMMANDS, ORDERING_EVENTS, ROUTING_EVENTS
from velo_didww import Priority
from velo_offers import TenantAccounts, box_from_env, shared_budgets
from velo_ordering import background, domain, metrics_probe
from velo_ordering.bulks import INDEXES as BULK_INDEXES
from velo_ordering.bulks import BulkProgress, BulkStore, bulk_recovery
from velo_ordering.driver import Driver
from velo_ordering.http_api import callback_routes, read_routes
from velo_ordering.kyc import INDEXES as KYC_INDEXES
from velo_ordering.kyc import KycRecords, kyc_routes
from velo_ordering.numbers import INDEXES as NUMBER_INDEXES
from velo_ordering.numbers import NumberStatus, NumberStore, number_key
from velo_ordering.reconcile import Reconciler
from velo_ordering.release import release_number
from velo_ordering.settings import OrderingSettings
from velo_ordering.store import INDEXES, RequestStore, request_key
from velo_runtime import Service, build_service, consumes, run_service
from velo_runtime.metrics import MeteredTransport
from velo_runtime.outbox import OutboxRelay
from velo_tenants import SecretBox, TenantDirectory, follow_tenants, registration_routes


def create_app(settings: OrderingSettings | None = None, box: SecretBox | None = None) -> Service:
    """Builds the ordering service, unconnected until its HTTP app starts."""
    settings = settings or OrderingSettings()
    service = build_service(
        settings,
        indexes=INDEXES + NUMBER_INDEXES + BULK_INDEXES + KYC_INDEXES,
        title="VeloConnect Numbers — ordering",
    )
    directory = TenantDirectory(service.db)
    metered = partial(MeteredTransport, "didww", service.metrics)
    budgets = shared_budgets(service.mongo, settings.didww_budget_database)
    accounts = TenantAccounts(  # a request's chain is in flight; reconciliation asks for less
        directory,
        box or box_from_env(),
        settings.didww_base_url,
        metered,
        budgets,
        Priority.IN_FLIGHT,
    )
    store = RequestStore(service.db, owner=new_id(), claim_seconds=settings.claim_seconds)
    numbers = NumberStore(service.db)
    request_relay = OutboxRelay.of(store.requests, service.publisher, ORDERING_EVENTS, store.docs)
    number_relay = OutboxRelay.of(numbers.numbers, service.publisher, ORDERING_EVENTS, numbers.docs)
    driver = Driver(store, numbers, request_relay, accounts, settings)
    bulks = BulkStore(service.db, store)
    bulk_relay = OutboxRelay.of(bulks.bulks, service.publisher, ORDERING_EVENTS, bulks.docs)
    progress = BulkProgress(bulks, bulk_relay)
    reconciler = Reconciler(accounts, store, numbers, number_relay)
    kyc_records = KycRecords(service.db)
    kyc_relay = OutboxRelay.of(
        kyc_records.records, service.publisher, ORDERING_EVENTS, kyc_records.docs
    )
    tasks = background.Background()

    resumes = Counter(
        "velo_callback_resumes_total",
        "DIDWW callbacks by what they did: started a re-read, or joined one in flight.",
        ["outcome"],
        registry=service.metrics.registry,
    )

    def resume(key: str) -> bool:
        """Works on a request in the background (at most `concurrent_requests` at once); a
        resume while one is in flight coalesces into it. Tells whether it started one."""
        return tasks.spawn_once(key, lambda: advance(key))

    async def advance(key: str) -> None:
        """Works on a request, then announces its bulk's progress if it is one of a bulk."""
        await driver.advance(key)
        await progress.poke_child(await store.docs.load(key))

    def nudge(key: str) -> None:
        """Resumes a request on DIDWW's callback."""
        resumes.labels("started" if resume(key) else "coalesced").inc()

    router = KafkaRouter()

    @consumes(router, ORDERING_COMMANDS, group_id=settings.group("commands"))
    async def on_ordering_command(
        command: RequestNumber | RequestNumbers | ReleaseNumber | SubmitRegistration,
    ) -> None:
        if isinstance(command, SubmitRegistration):
            await on_corrected(command)
            return
        if isinstance(command, ReleaseNumber):
            await release_number(command, accounts, numbers, number_relay)
            held = await numbers.get(command.tenant_id, command.number)
            if held and held.get("status") == NumberStatus.RELEASED:
                await store.released_while_registering(command.tenant_id, command.number)
            return
        if isinstance(command, RequestNumbers):
            await on_bulk(command)
            return
        key = request_key(command.tenant_id, command.request_id)
        if not await store.accept(command, [domain.requested(command)]):
            await store.repeated(key, command)
        # Stored (with its due time): the work goes on beside the next commands, and after a
        # crash the recovery pass picks it up.
        resume(key)

    async def on_corrected(command: SubmitRegistration) -> None:
        """Files a rejected registration again with corrected documents; a number with none
        waiting is said to its admin, not dropped."""
        key = await store.correct(command)
        if key is not None:
            resume(key)
            return
        if await numbers.note(
            command.tenant_id, command.number, [domain.nothing_to_correct(command)]
        ):
            await number_relay.relay(number_key(command.tenant_id, command.number))

    async def on_bulk(command: RequestNumbers) -> None:
        """Stores the bulk and every child (first writer wins on each id), then works on the
        children beside the next commands; a redelivery re-expands into the same children."""
        key = request_key(command.tenant_id, command.bulk_id)
        if not await bulks.accept(command):
            await bulks.repeated(command)
        for child in await bulks.expand(key):
            resume(child)
        await bulk_relay.relay(key)

    @consumes(router, ROUTING_EVENTS, group_id=settings.group("routing-events"))
    async def on_routing_event(event: RoutingEvent) -> None:
        touched: set[str] = set()
        if isinstance(event, RoutingConfigured):
            touched = await store.routed(event.tenant_id, event.number)
        elif isinstance(event, RoutingRemoved):
            # Released before it was ever routed: PortSIP's last word on it, the request is done
            # (it delivered the number; found by make chaos: such requests stayed approved).
            touched = await store.routed(event.tenant_id, event.number)
        elif isinstance(event, RoutingFailed):
            await store.routed(event.tenant_id, event.number, event.detail)
        for bulk_id in touched:
            await progress.poke(request_key(event.tenant_id, bulk_id))

    service.include(follow_tenants(directory, settings.group("tenants")), router)
    service.http.include_router(read_routes(store, reconciler, bulks))
    metrics_probe.watch(service, store, numbers.numbers, bulks.bulks, kyc_records.records)
    service.http.include_router(registration_routes(directory))
    service.http.include_router(callback_routes(accounts, settings.public_base_url, nudge))
    service.http.include_router(kyc_routes(accounts, driver.known, kyc_records, kyc_relay))

    async def start_loops() -> None:
        relays = [request_relay, number_relay, bulk_relay, kyc_relay]
        recover = background.recovery(store, driver, relays)
        tasks.every(settings.recovery_interval_seconds, recover)
        tasks.every(settings.recovery_interval_seconds, bulk_recovery(bulks, progress, resume))
        reconcile = background.reconciliation(directory, reconciler)
        tasks.every(settings.reconcile_interval_seconds, reconcile)

    async def stop_loops() -> None:
        await tasks.stop()
        await accounts.aclose()

    service.on_start.append(start_loops)
    service.on_stop.append(stop_loops)
    return service


def main() -> None:
    """Runs the ordering service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
