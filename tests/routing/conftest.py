"""sip-routing and assignment running on real Kafka, the local database and a PortSIP sandbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from velo_assignment.app import create_app as create_assignment
from velo_assignment.settings import AssignmentSettings
from velo_contracts import Actor, Message, NumberApproved, NumberFacts, Role
from velo_contracts.topics import ASSIGNMENT_COMMANDS, ORDERING_EVENTS, Topic
from velo_portsip import PortsipClient
from velo_runtime import Service
from velo_sandbox.portsip import SandboxConfig, create_app
from velo_sandbox.serve import serve_in_thread
from velo_sip_routing.app import create_app as create_routing
from velo_sip_routing.settings import SipRoutingSettings
from velo_tenants import SecretBox
from velo_tenants.registry import TenantSpec, configured_event, register
from velotest import eventually

ADMIN = Actor(user_id="admin-1", role=Role.ADMIN)
DOMAIN = "acme.pbx.local"
PASSWORD = "acme-admin-pass"


@dataclass
class Stack:
    """Both services of one test, its tenant and its PortSIP sandbox."""

    tenant: str
    other_tenant: str
    sandbox_url: str
    bootstrap: str
    producer: AIOKafkaProducer
    routing: Service
    numbers: httpx.AsyncClient

    def dump(self) -> dict[str, Any]:
        """Returns the sandbox's routing dump of the tenant."""
        data: dict[str, Any] = httpx.get(
            f"{self.sandbox_url}/_admin/tenants/{DOMAIN}/routing"
        ).json()
        return data

    def portsip(self) -> PortsipClient:
        """Returns a client of the tenant's PortSIP admin: changes made by hand, not by us."""
        return PortsipClient(f"{self.sandbox_url}/api", "admin", PASSWORD, DOMAIN)

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Calls a sandbox admin endpoint."""
        return httpx.request(method, f"{self.sandbox_url}/_admin{path}", **kwargs)

    async def send(self, message: Message, topic: Topic) -> None:
        """Publishes a message as its owner would."""
        body = message.model_dump_json().encode()
        await self.producer.send_and_wait(topic.name, body, key=message.partition_key().encode())

    async def approve(self, number: str, country: str = "DE", prefix: str = "49") -> None:
        """Publishes ordering's NumberApproved and waits until the number is active."""
        facts = NumberFacts(
            country=country,
            country_prefix=prefix,
            number_type="local",
            setup_price=Decimal("1"),
            monthly_price=Decimal("2.5"),
        )
        await self.send(
            NumberApproved(
                tenant_id=self.tenant,
                actor=ADMIN,
                request_id=number,
                number=number,
                didww_did_id=f"did-{number}",
                didww_order_id="o-1",
                order_reference="R1",
                amount=Decimal("3.5"),
                facts=facts,
            ),
            ORDERING_EVENTS,
        )
        await eventually(lambda: self.status_is(number, "active"), timeout=20)

    async def status_is(self, number: str, status: str) -> bool:
        """Tells whether the Phone numbers list shows the number with status."""
        response = await self.numbers.get(f"/v1/tenants/{self.tenant}/numbers/{number}")
        return response.status_code == 200 and response.json()["status"] == status

    async def command(self, command: Message) -> None:
        """Sends an assignment command."""
        await self.send(command, ASSIGNMENT_COMMANDS)

    async def events(self, topic: str, tenant: str | None = None) -> list[dict[str, Any]]:
        """Returns every event of the tenant now on topic."""
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            found: list[dict[str, Any]] = []
            while batch := await consumer.getmany(timeout_ms=300):
                for records in batch.values():
                    found += [json.loads(r.value) for r in records]
        finally:
            await consumer.stop()
        return [e for e in found if e.get("tenant_id") == (tenant or self.tenant)]

    def inbound(self) -> list[tuple[str, str, str]]:
        """Returns the inbound rules: (did, destination, destination type)."""
        rules = self.dump()["inbound_rules"]
        return sorted((r["did_numbers"], r["destination"], r["destination_type"]) for r in rules)


@pytest.fixture
async def stack(
    kafka_bootstrap: str,
    mongo_url: str,
    unique: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Stack]:
    key = SecretBox.new_key()
    monkeypatch.setenv("VELO_SECRETS_KEY", key)
    tenant = unique("acme")
    with serve_in_thread(create_app(SandboxConfig())) as pbx:
        spec = TenantSpec(
            tenant,
            "Acme",
            "k",
            "t",
            f"{pbx.url}/api",
            DOMAIN,
            "admin",
            PASSWORD,
            "DIDWW",
            "sip.acme",
            "800",
        )
        await register(kafka_bootstrap, [configured_event(spec, SecretBox(key), ADMIN)])
        common: dict[str, Any] = {
            "kafka_bootstrap": kafka_bootstrap,
            "mongo_url": mongo_url,
            "only_tenants": f"{tenant},{tenant}-other",
            "retry_backoff_seconds": 0.05,
        }
        routing = create_routing(
            SipRoutingSettings(
                **common,
                mongo_database=unique("routing").replace("-", "_"),
                group_prefix=unique("velo.test-routing"),
                tick_seconds=0.1,
                reconcile_interval_seconds=0.5,
                apply_backoff_seconds=0.1,
                apply_backoff_max_seconds=0.5,
                failure_alert_threshold=2,
            )
        )
        lookup = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=routing.http), base_url="http://sip-routing"
        )
        assignment = create_assignment(
            AssignmentSettings(
                **common,
                mongo_database=unique("assignment").replace("-", "_"),
                group_prefix=unique("velo.test-assignment"),
                relay_interval_seconds=0.5,
            ),
            sip_routing=lookup,
        )
        numbers = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=assignment.http), base_url="http://assignment"
        )
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        await routing.start()
        await assignment.start()
        try:
            yield Stack(
                tenant, f"{tenant}-other", pbx.url, kafka_bootstrap, producer, routing, numbers
            )
        finally:
            await assignment.stop()
            await routing.stop()
            await producer.stop()
            await numbers.aclose()
            await _drop(mongo_url, routing, assignment)


async def _drop(mongo_url: str, *services: Service) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        for service in services:
            await client.drop_database(service.settings.mongo_database)
    finally:
        await client.close()
