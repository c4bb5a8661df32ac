"""Fixtures of the inventory and ordering tests: a DIDWW sandbox, tenants, running services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker

from velo_contracts import Actor, Command
from velo_contracts.topics import ORDERING_COMMANDS, ORDERING_EVENTS
from velo_ordering.settings import OrderingSettings
from velo_runtime import Publisher
from velo_runtime.topics import ensure_topics
from velo_sandbox.didww import SandboxConfig
from velo_sandbox.didww import create_app as create_sandbox
from velo_sandbox.serve import free_port, serve_in_thread
from velo_tenants import SecretBox
from velo_tenants.registry import TenantSpec, configured_event, register
from velotest.numbers import DidwwSandbox, EventLog, RunningOrdering, Tenant


@pytest.fixture
def box(monkeypatch: pytest.MonkeyPatch) -> SecretBox:
    key = SecretBox.new_key()
    monkeypatch.setenv("VELO_SECRETS_KEY", key)
    return SecretBox(key)


@pytest.fixture
def didww() -> Iterator[DidwwSandbox]:
    app = create_sandbox(SandboxConfig(order_delay=0.3, rate_limit=None))
    with serve_in_thread(app) as server:
        yield DidwwSandbox(server, app)


@pytest.fixture
def make_tenant(
    kafka_bootstrap: str, box: SecretBox, didww: DidwwSandbox, unique: Callable[[str], str]
) -> Callable[[str], Awaitable[Tenant]]:
    """Gives `await make_tenant(name)`: a tenant registered on the tenants topic, own DIDWW key,
    with a callback secret enabled at DIDWW unless `callbacks=False`."""

    async def make(name: str, callbacks: bool = True, back_ordering: bool = False) -> Tenant:
        secret = unique(f"callback-secret-{name}") if callbacks else None
        tenant = Tenant(
            unique(name), unique(f"key-{name}"), unique(f"{name}-trunk"), f"sip.{name}.test", secret
        )
        didww.state.state.add_account(tenant.api_key, Decimal("100.00"), callback_secret=secret)
        spec = TenantSpec(
            tenant_id=tenant.id,
            name=name,
            didww_api_key=tenant.api_key,
            didww_trunk_name=tenant.trunk_name,
            portsip_url="http://127.0.0.1:1/api",
            portsip_domain=f"{name}.pbx.test",
            portsip_admin="admin",
            portsip_password="secret-pass",
            portsip_trunk="DIDWW",
            sip_host=tenant.sip_host,
            default_destination="800",
            didww_callback_secret=secret,
            allow_back_ordering=back_ordering,
        )
        await register(kafka_bootstrap, [configured_event(spec, box, Actor.system("tenants"))])
        return tenant

    return make


@pytest.fixture
async def ordering(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_db: Any,
    didww: DidwwSandbox,
    box: SecretBox,
    unique: Callable[[str], str],
) -> AsyncIterator[RunningOrdering]:
    port = free_port()
    settings = OrderingSettings(
        group_prefix=unique("velo.ordering"),
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        mongo_database=mongo_db.name,
        http_port=port,
        didww_base_url=didww.url,
        public_base_url=f"http://127.0.0.1:{port}",
        poll_interval_seconds=0.5,
        recovery_interval_seconds=0.2,
        reconcile_interval_seconds=3600,
        claim_seconds=5,
        retry_base_seconds=0.2,
        retry_max_seconds=1,
        retry_deadline_seconds=1.0,
        retry_backoff_seconds=0.05,
        retry_backoff_max_seconds=0.2,
    )
    running = RunningOrdering(settings, box)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def events(kafka_bootstrap: str) -> AsyncIterator[EventLog]:
    await ensure_topics(kafka_bootstrap, [ORDERING_EVENTS, ORDERING_COMMANDS])
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    partitions = [
        TopicPartition(ORDERING_EVENTS.name, p) for p in range(ORDERING_EVENTS.partitions)
    ]
    consumer.assign(partitions)
    await consumer.seek_to_end(*partitions)
    log = EventLog()

    async def collect() -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=100)
            for records in batch.values():
                for record in records:
                    log.add(ORDERING_EVENTS.parse(record.value))  # type: ignore[arg-type]

    task = asyncio.create_task(collect())
    yield log
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await consumer.stop()


@pytest.fixture
async def send(kafka_bootstrap: str) -> AsyncIterator[Callable[[Command], Awaitable[None]]]:
    """Gives `await send(command)`: publishes on the ordering commands topic."""
    broker = KafkaBroker(kafka_bootstrap)
    await broker.connect()
    publisher = Publisher(broker, "gateway")
    yield lambda command: publisher.publish(command, ORDERING_COMMANDS)
    await broker.stop()
