"""The gauges an SRE reads first, measured on a real Kafka and database: consumer lag per group
and partition, DLQ depth, outbox backlog and the age of its oldest event."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaRouter
from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import Actor, NumberRequested, Role
from velo_runtime import Service, ServiceSettings, build_service, consumes
from velo_runtime.outbox import with_events
from velotest import eventually

pytestmark = pytest.mark.infra


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    yield producer
    await producer.stop()


async def _create(bootstrap: str, topic: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()


def _service(bootstrap: str, mongo_url: str = "mongodb://127.0.0.1:1/") -> Service:
    settings = ServiceSettings(
        service_name="probed", kafka_bootstrap=bootstrap, mongo_url=mongo_url
    )
    return build_service(settings, uses_mongo=False)


def _gauge(service: Service, name: str, **labels: str) -> float | None:
    return service.metrics.registry.get_sample_value(name, labels)


async def test_lag_counts_what_a_group_has_not_consumed_per_partition_until_it_catches_up(
    kafka_bootstrap: str, unique: Callable[[str], str], producer: AIOKafkaProducer
) -> None:
    topic, group = unique("probe.lag.v1"), unique("group")
    await _create(kafka_bootstrap, topic, partitions=2)
    for i in range(5):
        await producer.send_and_wait(topic, b"{}", partition=i % 2)
    service = _service(kafka_bootstrap)
    router = KafkaRouter()
    seen: list[object] = []

    @consumes(router, topic, group_id=group)
    async def on_record(body: dict[str, object]) -> None:
        seen.append(body)

    service.include(router)

    async def lag_is(expected: list[float]) -> bool:
        await service.probes.run_once()  # a new cluster may need a moment for group offsets
        gauges = [
            _gauge(service, "velo_consumer_lag_messages", group=group, topic=topic, partition=p)
            for p in ("0", "1")
        ]
        return gauges == expected

    await eventually(lambda: lag_is([3, 2]))  # never consumed yet: counted from the start
    await service.start()
    try:
        await eventually(lambda: len(seen) == 5)
        await eventually(lambda: lag_is([0, 0]))
    finally:
        await service.stop()


async def test_dlq_depth_is_what_each_dead_letter_topic_holds(
    kafka_bootstrap: str, unique: Callable[[str], str], producer: AIOKafkaProducer
) -> None:
    dlq = unique("probe.events.v1") + ".dlq"
    await _create(kafka_bootstrap, dlq, partitions=1)
    for _ in range(2):
        await producer.send_and_wait(dlq, b"parked")
    service = _service(kafka_bootstrap)
    service.watch_dlqs()
    try:
        await service.probes.run_once()
        assert _gauge(service, "velo_dlq_depth_messages", topic=dlq) == 2
    finally:
        await service.probes.stop()


async def test_outbox_backlog_counts_waiting_events_and_the_age_of_the_oldest(
    kafka_bootstrap: str, mongo_db: AsyncDatabase[dict[str, object]]
) -> None:
    collection = mongo_db["requests"]
    admin = Actor(user_id="admin-1", role=Role.ADMIN)
    pick = {"kind": "next_available", "country": "DE", "number_type": "local"}
    events = [
        NumberRequested(tenant_id="acme", actor=admin, request_id=f"r{i}", pick=pick)
        for i in range(3)
    ]
    stale = with_events({"_id": "a"}, events[:2])
    for entry in stale["outbox"].values():  # written two minutes ago, never relayed
        entry["seq"] -= 120 * 10**9
    await collection.insert_one(stale)
    await collection.insert_one(with_events({"_id": "b"}, events[2:]))
    await collection.insert_one({"_id": "c", "outbox": {}, "pending_events": 0})
    service = _service(kafka_bootstrap)
    service.watch_outboxes(collection)  # type: ignore[arg-type]
    await service.probes.run_once()

    assert _gauge(service, "velo_outbox_pending_events", collection="requests") == 3
    age = _gauge(service, "velo_outbox_oldest_pending_age_seconds", collection="requests")
    assert age is not None and 120 <= age < 180

    await collection.update_many({}, {"$set": {"outbox": {}, "pending_events": 0}})
    await service.probes.run_once()
    assert _gauge(service, "velo_outbox_pending_events", collection="requests") == 0
    assert _gauge(service, "velo_outbox_oldest_pending_age_seconds", collection="requests") == 0
