"""A service rides out its dependencies' outages (issue 12, defect 4): started while Kafka and
MongoDB are both down it stays up, `/ready` names what it waits for, it becomes ready when they
come, and a broker restart and a database restart at run time cost no process exit and no message.

A real service process (audit: it consumes every topic and writes each message to the database)
against real nodes stopped and started on the same ports and data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from velo_contracts.topics import ORDERING_EVENTS
from velo_devinfra.components import Component, components
from velo_devinfra.process import ManagedProcess
from velo_devinfra.stack import LocalInfra, free_port, prepare
from velotest import eventually, free_offset

pytestmark = pytest.mark.infra
SLOW = 120.0


@pytest.fixture
def infra(tmp_path: Path) -> Iterator[LocalInfra]:
    """Kafka and the database on chosen ports, not started: the test starts them."""
    nodes = LocalInfra(tmp_path / "infra", free_port(), free_port(), mongo_backend="h2")
    yield nodes
    nodes.stop()


@pytest.fixture
def audit(tmp_path: Path, infra: LocalInfra) -> Iterator[tuple[Component, ManagedProcess]]:
    """The audit service's process, pointed at the (not yet running) nodes."""
    component = next(c for c in components(free_offset()) if c.name == "audit")
    env = os.environ | infra.endpoints.as_env() | component.env | {"VELO_LOG_JSON": "true"}
    process = ManagedProcess("audit", component.argv, tmp_path / "audit.log", env=env)
    process.start()
    yield component, process
    process.stop()


def _ready(component: Component) -> dict[str, Any] | None:
    try:
        response = httpx.get(f"http://127.0.0.1:{component.port}/ready", timeout=5)
    except httpx.HTTPError:
        return None
    return {"code": response.status_code, **response.json()}


async def _until_ready_is(component: Component, code: int, **checks: bool) -> dict[str, Any]:
    def matches() -> dict[str, Any] | None:
        body = _ready(component)
        if body is None or body["code"] != code:
            return None
        return body if all(body["checks"].get(k) == v for k, v in checks.items()) else None

    return await eventually(matches, timeout=SLOW, interval=0.3)


async def _audited(component: Component, message_id: str) -> bool:
    url = f"http://127.0.0.1:{component.port}/v1/tenants/acme/audit"
    async with httpx.AsyncClient(timeout=5) as http:
        items = (await http.get(url)).json()["items"]
    return any(item["id"] == message_id for item in items)


async def _send(bootstrap: str, message_id: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        value = {"message_id": message_id, "tenant_id": "acme", "type": "OutageProbe"}
        await producer.send_and_wait(ORDERING_EVENTS.name, json.dumps(value).encode())
    finally:
        await producer.stop()


async def test_a_service_waits_for_its_dependencies_and_rides_out_their_restarts(
    infra: LocalInfra, audit: tuple[Component, ManagedProcess]
) -> None:
    component, process = audit

    down = await _until_ready_is(component, 503, kafka=False, mongodb=False, started=False)
    assert down["status"] == "not_ready"
    assert set(down["waiting_for"]) == {"kafka", "mongodb"}
    assert process.alive()

    jars, launcher = prepare()
    infra.mongo.start(launcher)
    await infra.mongo.wait_ready()
    half = await _until_ready_is(component, 503, mongodb=True, kafka=False)
    assert half["waiting_for"] == ["kafka"]
    infra.kafka.start(jars)
    await infra.kafka.wait_ready()
    await _until_ready_is(component, 200, started=True)
    await _send(infra.endpoints.kafka_bootstrap, "before-restarts")
    await eventually(lambda: _audited(component, "before-restarts"), timeout=SLOW)

    infra.kafka.stop()
    await _until_ready_is(component, 503, kafka=False)
    infra.kafka.start(jars)
    await infra.kafka.wait_ready()
    await _until_ready_is(component, 200)
    await _send(infra.endpoints.kafka_bootstrap, "after-broker-restart")
    await eventually(lambda: _audited(component, "after-broker-restart"), timeout=SLOW)

    infra.mongo.stop()
    await _until_ready_is(component, 503, mongodb=False, kafka=True)
    await _send(infra.endpoints.kafka_bootstrap, "while-database-down")
    infra.mongo.start(launcher)
    await infra.mongo.wait_ready()
    await _until_ready_is(component, 200)
    await eventually(lambda: _audited(component, "while-database-down"), timeout=SLOW)
    await eventually(lambda: _audited(component, "before-restarts"), timeout=SLOW)  # h2 kept it

    assert process.alive(), process.log_tail()
