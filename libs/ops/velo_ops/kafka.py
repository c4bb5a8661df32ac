"""Kafka for `velo-dlq`: reads the dead-letter topics to their current end, publishes replays."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from velo_contracts import Message, Topic
from velo_contracts.topics import DLQ_SUFFIX, OPS_EVENTS, dlq_of
from velo_runtime.deadletters import DeadLetter
from velo_runtime.kafka import envelope_headers
from velo_runtime.topics import ensure_topics

READ_TIMEOUT = 60.0
"""Longest a scan of the dead-letter topics may take (seconds)."""


class KafkaDeadLetters:
    """The dead letters a Kafka cluster holds, read without a consumer group (nothing committed)."""

    def __init__(self, bootstrap: str):
        self.bootstrap = bootstrap

    async def all(self, topic: str | None = None) -> list[DeadLetter]:
        """Returns every dead letter of every `*.dlq` topic (or of one), oldest first per topic."""
        partitions = await self._partitions(_dlq_name(topic) if topic else None)
        records = await self._read(partitions, {})
        return [DeadLetter.from_record(record) for record in records]

    async def one(self, topic: str, partition: int, offset: int) -> DeadLetter | None:
        """Returns the dead letter at a coordinate, or None if there is none."""
        where = TopicPartition(topic, partition)
        if where not in await self._partitions(topic):
            return None
        found = await self._read([where], {where: offset})
        return next((DeadLetter.from_record(r) for r in found if r.offset == offset), None)

    async def _partitions(self, topic: str | None) -> list[TopicPartition]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:  # all topics: asking for one by name could create it
            described = await admin.describe_topics(None)
        finally:
            await admin.close()
        return [
            TopicPartition(found["topic"], part["partition"])
            for found in described
            if found["topic"].endswith(DLQ_SUFFIX) and topic in (None, found["topic"])
            for part in found["partitions"]
        ]

    async def _read(
        self, partitions: list[TopicPartition], start: dict[TopicPartition, int]
    ) -> list[ConsumerRecord[Any, Any]]:
        if not partitions:
            return []
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*(p for p in partitions if p not in start))
            for where, offset in start.items():
                consumer.seek(where, offset)
            ends = await consumer.end_offsets(partitions)
            async with asyncio.timeout(READ_TIMEOUT):
                return await _until_ends(consumer, ends, start)
        finally:
            await consumer.stop()


async def _until_ends(
    consumer: AIOKafkaConsumer,
    ends: dict[TopicPartition, int],
    start: dict[TopicPartition, int],
) -> list[ConsumerRecord[Any, Any]]:
    records: list[ConsumerRecord[Any, Any]] = []
    pending = {p for p, end in ends.items() if start.get(p, 0) < end}
    while pending:
        for part, batch in (await consumer.getmany(*pending, timeout_ms=500)).items():
            records.extend(r for r in batch if r.offset < ends[part])
            if part in start:  # one record wanted: stop as soon as it is here
                pending.discard(part)
        pending = {p for p in pending if await consumer.position(p) < ends[p]}
    return sorted(records, key=lambda r: (r.topic, r.partition, r.offset))


def _dlq_name(topic: str) -> str:
    return topic if topic.endswith(DLQ_SUFFIX) else dlq_of(topic)


class KafkaSender:
    """Publishes replays and ops events: acknowledged by every in-sync replica, idempotent."""

    def __init__(self, producer: AIOKafkaProducer):
        self.producer = producer

    async def replay(self, letter: DeadLetter, operator: str) -> None:
        """Publishes the dead letter's original record to its original topic, marked as a replay."""
        await self.producer.send_and_wait(
            letter.original_topic,
            value=letter.value,
            key=letter.key,
            headers=letter.replay_headers(operator),
        )

    async def announce(self, message: Message, topic: Topic = OPS_EVENTS) -> None:
        """Publishes a contract message with its envelope headers, keyed like every service's."""
        headers = {
            "content-type": "application/json",
            "correlation_id": message.correlation_id,
            **envelope_headers(message),
        }
        await self.producer.send_and_wait(
            topic.name,
            value=message.model_dump_json().encode(),
            key=message.partition_key().encode(),
            headers=[(name, value.encode()) for name, value in headers.items()],
        )


@asynccontextmanager
async def kafka_sender(bootstrap: str) -> AsyncIterator[KafkaSender]:
    """Yields a sender on a started producer (the ops topic made if missing); stops it after."""
    await ensure_topics(bootstrap, [OPS_EVENTS])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, client_id="velo-dlq"
    )
    await producer.start()
    try:
        yield KafkaSender(producer)
    finally:
        await producer.stop()
