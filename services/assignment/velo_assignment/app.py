"""Composition root of the assignment service."""

from __future__ import annotations

from typing import Any

import httpx
from faststream.kafka import KafkaRouter

from velo_assignment.api import read_api
from velo_assignment.handlers import handle, remember
from velo_assignment.projection import PROJECTED_TYPES, project
from velo_assignment.settings import AssignmentSettings
from velo_assignment.store import INDEXES, NumberBook
from velo_assignment.targets import TargetChecker
from velo_contracts.topics import (
    ASSIGNMENT_COMMANDS,
    ASSIGNMENT_EVENTS,
    ORDERING_EVENTS,
    ROUTING_EVENTS,
    Topic,
)
from velo_runtime import Publisher, Service, build_service, consumes, get_logger, run_service
from velo_runtime.background import Background
from velo_runtime.outbox import OutboxRelay
from velo_runtime.peers import FailoverTransport, peer_urls

log = get_logger(__name__)


def create_app(
    settings: AssignmentSettings | None = None, *, sip_routing: httpx.AsyncClient | None = None
) -> Service:
    """Builds the assignment service, unconnected until its HTTP app starts."""
    settings = settings or AssignmentSettings()
    service = build_service(settings, indexes=INDEXES, title="VeloConnect Numbers — assignment")
    book = NumberBook(service.db, on_active=service.metrics.request_to_active.observe)
    checker = TargetChecker(
        sip_routing
        or httpx.AsyncClient(
            base_url=peer_urls(settings.sip_routing_url)[0],
            timeout=settings.sip_routing_timeout_seconds,
            transport=FailoverTransport(peer_urls(settings.sip_routing_url)),
        )
    )
    relay = OutboxRelay.of(book.rows, service.publisher, ASSIGNMENT_EVENTS, book.docs)
    tasks = Background()
    service.include(_subscribers(settings, book, checker, relay, service.publisher))
    service.http.include_router(read_api(book))
    service.watch_outboxes(book.rows)

    async def start_relay() -> None:
        tasks.every(settings.relay_interval_seconds, relay.relay_all)

    service.on_start.append(start_relay)
    service.on_stop.append(tasks.stop)
    service.on_stop.append(checker.aclose)
    return service


def _subscribers(
    settings: AssignmentSettings,
    book: NumberBook,
    checker: TargetChecker,
    relay: OutboxRelay,
    publisher: Publisher,
) -> KafkaRouter:
    router = KafkaRouter()

    async def fold(body: dict[str, Any], topic: Topic) -> None:
        if body.get("type") in PROJECTED_TYPES and settings.serves(body.get("tenant_id", "")):
            await project(book, topic.parse(body))

    @consumes(router, ORDERING_EVENTS, group_id=settings.group("ordering-events"))
    async def on_ordering_event(body: dict[str, Any]) -> None:
        await fold(body, ORDERING_EVENTS)

    @consumes(router, ROUTING_EVENTS, group_id=settings.group("routing-events"))
    async def on_routing_event(body: dict[str, Any]) -> None:
        await fold(body, ROUTING_EVENTS)

    @consumes(router, ASSIGNMENT_COMMANDS, group_id=settings.group("commands"))
    async def on_assignment_command(body: dict[str, Any]) -> None:
        if not settings.serves(body.get("tenant_id", "")):
            return
        command: Any = ASSIGNMENT_COMMANDS.parse(body)
        outcome = await handle(book, checker, command)
        for event in outcome:
            await publisher.publish(event, ASSIGNMENT_EVENTS)
        if outcome:
            await remember(book, command, outcome)
        if row := await book.current(command.tenant_id, command.number):
            await relay.relay_document(row)

    return router


def main() -> None:
    """Runs the assignment service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
