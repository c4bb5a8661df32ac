"""Audit ingest rate: a burst of 10,000 events, from first publish to all stored (events/s).

Uses VELO_KAFKA_BOOTSTRAP / VELO_MONGO_URL when set, else starts local Kafka + mongo-java-server.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaProducer

from velo_audit.app import create_app
from velo_audit.settings import AuditSettings
from velo_contracts import Actor, NumberAssigned, Role
from velo_contracts.topics import ASSIGNMENT_EVENTS
from velo_devinfra import InfraEndpoints, LocalInfra
from velo_runtime import configure_logging
from velo_runtime.kafka import envelope_headers

EVENTS = 10_000


async def burst(bootstrap: str, tenant: str) -> None:
    """Publishes EVENTS assignment events as fast as the producer takes them."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    await producer.start()
    actor = Actor(user_id="bench", role=Role.ADMIN)
    sends = []
    for n in range(EVENTS):
        event = NumberAssigned(
            tenant_id=tenant, actor=actor, number=f"+4930{n:08d}", outbound_agent="101"
        )
        headers = [(k, v.encode()) for k, v in envelope_headers(event).items()]
        sends.append(
            await producer.send(
                ASSIGNMENT_EVENTS.name,
                event.model_dump_json().encode(),
                key=event.number.encode(),
                headers=headers,
            )
        )
    await asyncio.gather(*sends)
    await producer.stop()


async def measure(endpoints: InfraEndpoints) -> None:
    """Runs the audit service and times the burst until every event is stored."""
    tenant = f"bench-{uuid.uuid4().hex[:8]}"
    settings = AuditSettings(
        kafka_bootstrap=endpoints.kafka_bootstrap,
        mongo_url=endpoints.mongo_url,
        group_prefix=f"bench-{tenant}",
        mongo_database=f"bench_{tenant.replace('-', '_')}",
    )
    service = create_app(settings)
    await service.start()
    try:
        started = time.perf_counter()
        await burst(endpoints.kafka_bootstrap, tenant)
        published = time.perf_counter()
        count = service.db.events.count_documents
        while (stored := await count({"tenant_id": tenant})) < EVENTS:  # noqa: ASYNC110
            await asyncio.sleep(0.1)  # the measurement itself: poll until the burst is stored
        done = time.perf_counter()
        print(
            f"published {EVENTS} events in {published - started:.2f}s; all {stored} stored "
            f"after {done - started:.2f}s -> {EVENTS / (done - started):.0f} events/s end to end"
        )
        await service.mongo.drop_database(settings.mongo_database)  # type: ignore[union-attr]
    finally:
        await service.stop()


def main() -> None:
    """Benchmarks against the configured or a freshly started infrastructure."""
    configure_logging("bench", "WARNING", json=True)
    if os.environ.get("VELO_KAFKA_BOOTSTRAP") and os.environ.get("VELO_MONGO_URL"):
        asyncio.run(
            measure(
                InfraEndpoints(os.environ["VELO_KAFKA_BOOTSTRAP"], os.environ["VELO_MONGO_URL"])
            )
        )
        return
    with tempfile.TemporaryDirectory() as data:
        infra = LocalInfra(Path(data))
        infra.start()
        try:
            asyncio.run(infra.wait_ready())
            asyncio.run(measure(infra.endpoints))
        finally:
            infra.stop()


if __name__ == "__main__":
    main()
