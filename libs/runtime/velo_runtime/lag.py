"""Consumer lag and DLQ depth, read from the broker's offsets.

Lag is, per consumer group and partition, the partition's end offset minus the offset the group
committed (a partition the group never committed on counts from the partition's start, where its
consumers begin). A service reports the lag of its own groups — those its subscribers declare —
so every instance of a service reports the same series (take the max across instances). DLQ depth
is the number of records a dead-letter topic holds (end minus start offset, summed over its
partitions): parked records stay there after an operator replayed or discarded them, until the
topic's retention removes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from prometheus_client import Gauge

from velo_contracts.topics import DLQ_SUFFIX
from velo_runtime.metrics import ServiceMetrics


@dataclass(frozen=True)
class Subscription:
    """What a consumer group reads: named topics, or every topic matching a pattern."""

    group: str
    topics: frozenset[str]
    pattern: str | None = None

    def reads(self, topic: str) -> bool:
        """Tells whether the group consumes topic."""
        return topic in self.topics or bool(self.pattern and re.fullmatch(self.pattern, topic))


def subscriptions(broker: KafkaBroker) -> list[Subscription]:
    """Returns the consumer groups the broker's subscribers declare."""
    found: dict[str, Subscription] = {}
    for subscriber in broker.subscribers:
        group = getattr(subscriber, "group_id", None)
        if not group:
            continue
        pattern = getattr(subscriber, "_pattern", None)  # FastStream 0.7 keeps it as given
        topics = frozenset(() if pattern else getattr(subscriber, "topic_names", ()))
        seen = found.get(group)
        if seen is not None:
            topics |= seen.topics
            pattern = pattern or seen.pattern
        found[group] = Subscription(group, topics, pattern)
    return list(found.values())


class Offsets:
    """Reads partitions, committed offsets and end offsets (one admin client, one consumer
    without a group: reading offsets commits nothing and joins no group)."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
            consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
            try:
                await admin.start()
                await consumer.start()
            except Exception:
                await admin.close()
                await consumer.stop()
                raise
            self._admin, self._consumer = admin, consumer
        return self._admin, self._consumer

    async def partitions(self) -> list[TopicPartition]:
        """Returns every partition of every topic the cluster holds."""
        admin, _ = await self._clients()
        described = await admin.describe_topics(None)  # all: asking by name could create one
        return [
            TopicPartition(found["topic"], part["partition"])
            for found in described
            for part in found["partitions"]
        ]

    async def committed(self, group: str) -> dict[TopicPartition, int]:
        """Returns the offsets the group committed, by partition."""
        admin, _ = await self._clients()
        offsets = await admin.list_consumer_group_offsets(group)
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}

    async def bounds(
        self, partitions: Iterable[TopicPartition]
    ) -> dict[TopicPartition, tuple[int, int]]:
        """Returns the start and end offset of each partition."""
        wanted = list(partitions)
        if not wanted:
            return {}
        _, consumer = await self._clients()
        starts = await consumer.beginning_offsets(wanted)
        ends = await consumer.end_offsets(wanted)
        return {tp: (starts[tp], ends[tp]) for tp in wanted}

    async def close(self) -> None:
        """Closes the clients (opened again by the next read)."""
        admin, consumer, self._admin, self._consumer = self._admin, self._consumer, None, None
        if admin is not None:
            await admin.close()
        if consumer is not None:
            await consumer.stop()


class ConsumerLag:
    """Sets `velo_consumer_lag_messages{group, topic, partition}` for a broker's groups."""

    def __init__(self, broker: KafkaBroker, offsets: Offsets, metrics: ServiceMetrics) -> None:
        self.broker = broker
        self.offsets = offsets
        self.gauge = Gauge(
            "velo_consumer_lag_messages",
            "Records a consumer group has not yet committed past, by partition "
            "(end offset minus committed offset).",
            ["group", "topic", "partition"],
            registry=metrics.registry,
        )

    async def measure(self) -> None:
        """Reads every group's lag once."""
        groups = subscriptions(self.broker)
        if not groups:
            return
        partitions = await self.offsets.partitions()
        committed = {s.group: await self.offsets.committed(s.group) for s in groups}
        read = {
            s.group: [tp for tp in partitions if tp in committed[s.group] or s.reads(tp.topic)]
            for s in groups
        }
        bounds = await self.offsets.bounds({tp for tps in read.values() for tp in tps})
        for group, tps in read.items():
            for tp in tps:
                start, end = bounds[tp]
                behind = max(end - max(committed[group].get(tp, start), start), 0)
                self.gauge.labels(group, tp.topic, str(tp.partition)).set(behind)


class DlqDepth:
    """Sets `velo_dlq_depth_messages{topic}`: records each dead-letter topic holds."""

    def __init__(self, offsets: Offsets, metrics: ServiceMetrics) -> None:
        self.offsets = offsets
        self.gauge = Gauge(
            "velo_dlq_depth_messages",
            "Records a dead-letter topic holds (parked, whether handled since or not), by DLQ.",
            ["topic"],
            registry=metrics.registry,
        )

    async def measure(self) -> None:
        """Reads every DLQ's depth once."""
        dlqs = [tp for tp in await self.offsets.partitions() if tp.topic.endswith(DLQ_SUFFIX)]
        depth: dict[str, int] = dict.fromkeys((tp.topic for tp in dlqs), 0)
        for tp, (start, end) in (await self.offsets.bounds(dlqs)).items():
            depth[tp.topic] += end - start
        for topic, records in depth.items():
            self.gauge.labels(topic).set(records)
