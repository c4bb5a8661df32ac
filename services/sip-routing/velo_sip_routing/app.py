"""Composition root of the sip-routing service."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaRouter

from velo_contracts.envelope import new_id
from velo_contracts.tenants import TenantConfigured
from velo_contracts.topics import ASSIGNMENT_EVENTS, ORDERING_EVENTS, Topic
from velo_portsip import PortsipClient
from velo_runtime import Service, build_service, consumes, get_logger, run_service
from velo_runtime.claims import Claims
from velo_runtime.documents import MongoDocuments
from velo_runtime.metrics import MeteredTransport
from velo_sip_routing import store as route_store
from velo_sip_routing.api import read_api
from velo_sip_routing.converger import Converger
from velo_sip_routing.directory import DirectoryCache
from velo_sip_routing.handlers import HANDLED_TYPES, record
from velo_sip_routing.pbx import ClientFactory, PbxClients, portsip_client
from velo_sip_routing.settings import SipRoutingSettings
from velo_tenants import SecretBox, TenantDirectory, follow_tenants

log = get_logger(__name__)
CONVERGING = "converging"
"""One document per tenant, claimed by the instance that brings its PortSIP routing in line."""


def _metered_client(service: Service) -> ClientFactory:
    def factory(tenant: TenantConfigured, password: str) -> PortsipClient:
        return portsip_client(tenant, password, MeteredTransport("portsip", service.metrics))

    return factory


def create_app(
    settings: SipRoutingSettings | None = None, *, pbx_factory: ClientFactory | None = None
) -> Service:
    """Builds the sip-routing service, unconnected until its HTTP app starts."""
    settings = settings or SipRoutingSettings()
    service = build_service(
        settings, indexes=route_store.INDEXES, title="VeloConnect Numbers — sip-routing"
    )
    store = route_store.RouteStore(service.db)
    tenants = TenantDirectory(service.db)
    clients = PbxClients(_open_secret, pbx_factory or _metered_client(service))
    cache = DirectoryCache(service.db, settings.directory_max_age_seconds)
    claims = Claims(MongoDocuments(service.db[CONVERGING]), new_id(), settings.claim_seconds)
    converger = Converger(settings, store, tenants, clients, cache, service.publisher, claims)
    service.include(
        follow_tenants(tenants, settings.group("tenants")),
        _subscribers(settings, store, converger),
    )
    service.http.include_router(read_api(store, tenants, clients, cache))
    service.watch_outboxes(store.routes)
    service.on_start.append(converger.start)
    service.on_stop.append(converger.stop)
    return service


def _open_secret(sealed: str) -> str:
    """Opens a tenant secret with VELO_SECRETS_KEY, read when first needed (not at start)."""
    return SecretBox.from_env().open(sealed)


def _subscribers(
    settings: SipRoutingSettings, store: route_store.RouteStore, converger: Converger
) -> KafkaRouter:
    router = KafkaRouter()

    async def desire(body: dict[str, Any], topic: Topic) -> None:
        if body.get("type") not in HANDLED_TYPES or not settings.serves(body.get("tenant_id", "")):
            return
        event = topic.parse(body)
        if await record(store, event):
            log.info("desired_routing_changed", type=event.type)
            converger.wake(event.tenant_id)

    @consumes(router, ORDERING_EVENTS, group_id=settings.group("ordering-events"))
    async def on_ordering_event(body: dict[str, Any]) -> None:
        await desire(body, ORDERING_EVENTS)

    @consumes(router, ASSIGNMENT_EVENTS, group_id=settings.group("assignment-events"))
    async def on_assignment_event(body: dict[str, Any]) -> None:
        await desire(body, ASSIGNMENT_EVENTS)

    return router


def main() -> None:
    """Runs the sip-routing service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
