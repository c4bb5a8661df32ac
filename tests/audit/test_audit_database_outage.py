"""Audit commits offsets only after a durable write: a database outage loses no event."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from velo_audit.app import create_app
from velo_contracts import Actor, NumberAssigned, Role
from velo_contracts.topics import ASSIGNMENT_EVENTS
from velo_devinfra.mongo import MongoNode, ensure_mongo_launcher
from velo_devinfra.stack import free_port
from velotest import eventually

from .conftest import Audit, audit_settings

pytestmark = pytest.mark.infra
ADMIN = Actor(user_id="alice", role=Role.ADMIN)


def _assigned(tenant: str, agent: int) -> NumberAssigned:
    return NumberAssigned(
        tenant_id=tenant, actor=ADMIN, number=f"+4930123456{agent}", outbound_agent=str(agent)
    )


def _retries(audit: Audit) -> float:
    registry = audit.service.metrics.registry
    return sum(
        sample.value
        for metric in registry.collect()
        if metric.name == "velo_handler_retries"
        for sample in metric.samples
        if sample.name == "velo_handler_retries_total"
    )


async def test_events_published_while_the_database_is_down_are_stored_once_it_is_back(
    kafka_bootstrap: str, send: Callable[..., Any], unique: Callable[[str], str], tmp_path: Path
) -> None:
    # Its own database server, on a file (h2), so what was stored before the outage survives it.
    mongo = MongoNode(tmp_path, free_port(), backend="h2")
    launcher = ensure_mongo_launcher()
    mongo.start(launcher)
    await mongo.wait_ready()
    tenant = unique("acme")
    service = create_app(audit_settings(kafka_bootstrap, mongo.url, unique))
    await service.start()
    transport = httpx.ASGITransport(app=service.http)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://audit") as http:
            audit = Audit(service, http)
            await send(_assigned(tenant, 10), ASSIGNMENT_EVENTS)
            await eventually(lambda: _stored(audit, tenant, 1))

            mongo.stop()
            for agent in (11, 12, 13):
                await send(_assigned(tenant, agent), ASSIGNMENT_EVENTS)
            await eventually(lambda: _retries(audit) >= 1, timeout=30)
            mongo.start(launcher)
            await mongo.wait_ready()

            entries = await eventually(lambda: _stored(audit, tenant, 4), timeout=60)
    finally:
        await service.stop()
        mongo.stop()
    assert sorted(e["payload"]["outbound_agent"] for e in entries) == ["10", "11", "12", "13"]


async def _stored(audit: Audit, tenant: str, expected: int) -> list[dict[str, Any]] | None:
    entries = await audit.entries(tenant)
    assert len(entries) <= expected
    return entries if len(entries) == expected else None
