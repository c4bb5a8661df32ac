"""Inventory search latency through the service vs. DIDWW directly, and request→approved time.

Starts its own Kafka + mongo-java-server (like `make test`), a DIDWW sandbox with fixed latency,
and the inventory and ordering services on real sockets. Run `python benchmarks/bench_inventory.py`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker

from velo_contracts import Actor, NextAvailable, NumberType, RequestNumber, Role
from velo_contracts.envelope import new_id
from velo_contracts.topics import ORDERING_COMMANDS, ORDERING_EVENTS
from velo_devinfra import LocalInfra
from velo_didww import DidwwClient
from velo_inventory.app import create_app as create_inventory
from velo_inventory.settings import InventorySettings
from velo_ordering.app import create_app as create_ordering
from velo_ordering.settings import OrderingSettings
from velo_runtime import Publisher
from velo_runtime.topics import ensure_topics
from velo_sandbox.didww import SandboxConfig
from velo_sandbox.didww import create_app as create_sandbox
from velo_sandbox.faults import FaultPlan
from velo_sandbox.serve import free_port, serve_in_thread
from velo_tenants import SecretBox
from velo_tenants.demo import demo_tenants
from velo_tenants.registry import configured_event, register

LATENCY_MS = 50
SEARCHES = 200
ORDERS = 5
KEY = "sandbox-acme-key"
ADMIN = Actor(user_id="bench-admin", role=Role.ADMIN)


def _summary(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<44} median {statistics.median(ms):7.1f} ms   p99 {p99:7.1f} ms   n={len(ms)}")


async def _timed(call: object, count: int) -> list[float]:
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        await call()  # type: ignore[operator]
        spent.append(time.perf_counter() - started)
    return spent


async def _searches(inventory_url: str, tenant: str, didww_url: str, country_id: str) -> None:
    params = {"country": "US", "type": "local", "area": "New York"}
    async with httpx.AsyncClient(base_url=inventory_url, timeout=30) as http:
        await http.get(f"/v1/tenants/{tenant}/inventory", params=params)  # coverage warm
        via_service = await _timed(
            lambda: http.get(f"/v1/tenants/{tenant}/inventory", params=params), SEARCHES
        )
    async with DidwwClient(KEY, didww_url, rate_limit=None) as didww:
        direct = await _timed(
            lambda: didww.list_available_dids({"country.id": country_id}), SEARCHES
        )
    print(f"sandbox latency {LATENCY_MS} ms per DIDWW call")
    _summary("inventory search via the service", via_service)
    _summary("available_dids directly at the sandbox", direct)


async def _approvals(bootstrap: str, tenant: str) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    parts = [TopicPartition(ORDERING_EVENTS.name, p) for p in range(ORDERING_EVENTS.partitions)]
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    broker = KafkaBroker(bootstrap)
    await broker.connect()
    publisher, spent = Publisher(broker, "gateway"), []
    for _ in range(ORDERS):
        pick = NextAvailable(country="US", number_type=NumberType.LOCAL, area="Chicago")
        command = RequestNumber(tenant_id=tenant, actor=ADMIN, request_id=new_id(), pick=pick)
        started = time.perf_counter()
        await publisher.publish(command, ORDERING_COMMANDS)
        while not await _approved(consumer, command.request_id):
            pass
        spent.append(time.perf_counter() - started)
    await broker.stop()
    await consumer.stop()
    print(f"sandbox order delay {SandboxConfig().order_delay} s (default)")
    _summary("request → NumberApproved", spent)


async def _approved(consumer: AIOKafkaConsumer, request_id: str) -> bool:
    batch = await consumer.getmany(timeout_ms=100)
    records = [r for rs in batch.values() for r in rs]
    return any(
        e.type == "NumberApproved" and getattr(e, "request_id", None) == request_id
        for e in (ORDERING_EVENTS.parse(r.value) for r in records)
    )


async def _register(bootstrap: str, box: SecretBox, tenant: str) -> None:
    acme = demo_tenants("http://127.0.0.1:1/api")[0]
    spec = type(acme)(**{**acme.__dict__, "tenant_id": tenant})
    await register(bootstrap, [configured_event(spec, box, Actor.system("bench"))])
    await ensure_topics(bootstrap, [ORDERING_COMMANDS, ORDERING_EVENTS])


def main() -> None:
    """Runs both measurements and prints the figures."""
    os.environ.setdefault("VELO_SECRETS_KEY", SecretBox.new_key())
    box, tenant = SecretBox.from_env(), f"bench-{new_id()[:8]}"
    infra = LocalInfra(Path(tempfile.mkdtemp(prefix="velo-bench-")))
    infra.start()
    try:
        asyncio.run(infra.wait_ready())
        _run(infra.endpoints.kafka_bootstrap, infra.endpoints.mongo_url, box, tenant)
    finally:
        infra.stop()


def _wait_for_tenant(inventory_url: str, tenant: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while httpx.get(f"{inventory_url}/v1/tenants/{tenant}/countries").status_code != 200:
        if time.monotonic() > deadline:
            raise SystemExit("the inventory service never learned the bench tenant")
        time.sleep(0.1)


def _run(bootstrap: str, mongo_url: str, box: SecretBox, tenant: str) -> None:
    asyncio.run(_register(bootstrap, box, tenant))
    sandbox = create_sandbox(SandboxConfig(rate_limit=None))
    with serve_in_thread(sandbox) as didww:
        didww_url = f"{didww.url}/v3"
        shared = {"kafka_bootstrap": bootstrap, "mongo_url": mongo_url, "log_level": "WARNING"}
        inventory = create_inventory(
            InventorySettings(
                didww_base_url=didww_url, mongo_database=f"bench_inv_{tenant}", **shared
            ),
            box,
        )
        port = free_port()
        ordering = create_ordering(
            OrderingSettings(
                didww_base_url=didww_url,
                mongo_database=f"bench_ord_{tenant}",
                http_port=port,
                public_base_url=f"http://127.0.0.1:{port}",
                group_prefix=f"bench-{tenant}",
                **shared,
            ),
            box,
        )
        with serve_in_thread(inventory.http) as inv, serve_in_thread(ordering.http, port=port):
            _wait_for_tenant(inv.url, tenant)
            country = sandbox.state.sandbox.state.catalog.countries
            us = next(c for c in country if c.iso == "US")
            sandbox.state.sandbox.faults.replace_plan(FaultPlan(latency_ms=LATENCY_MS))
            asyncio.run(_searches(inv.url, tenant, didww_url, us.id))
            sandbox.state.sandbox.faults.replace_plan(FaultPlan())
            asyncio.run(_approvals(bootstrap, tenant))


if __name__ == "__main__":
    main()
