"""Creates the registry's topics (and their DLQs) with the right settings before first use, or
waits until someone else (on a cluster: Strimzi's Topic Operator) has created them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from velo_contracts import Topic
from velo_runtime.logs import get_logger

log = get_logger(__name__)


async def ensure_topics(bootstrap: str, topics: Iterable[Topic]) -> None:
    """Creates every missing topic and DLQ; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [new for topic in topics for new in _new_topics(topic) if new.name not in existing]
        if wanted:
            await admin.create_topics(wanted)
    finally:
        await admin.close()


def _new_topics(topic: Topic) -> list[NewTopic]:
    configs = {"cleanup.policy": "compact"} if topic.compacted else {}
    return [
        NewTopic(topic.name, topic.partitions, 1, topic_configs=configs),
        NewTopic(topic.dlq, 1, 1),
    ]


def topic_names(topics: Iterable[Topic]) -> list[str]:
    """Returns the names of the topics and of their DLQs."""
    return [name for topic in topics for name in (topic.name, topic.dlq)]


async def missing_topics(bootstrap: str, topics: Iterable[Topic]) -> list[str]:
    """Returns the topics and DLQs Kafka does not hold yet, sorted by name."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    return sorted(set(topic_names(topics)) - existing)


async def wait_for_topics(bootstrap: str, topics: Iterable[Topic], interval: float = 5.0) -> None:
    """Returns once Kafka holds every topic and DLQ; creates none (logs what it waits for)."""
    wanted = list(topics)
    while True:
        try:
            missing = await missing_topics(bootstrap, wanted)
        except (KafkaError, OSError) as error:  # Kafka not reachable yet: wait as for a topic
            log.warning("waiting_for_kafka", error=repr(error)[:300])
        else:
            if not missing:
                return
            log.info("waiting_for_topics", missing=missing)
        await asyncio.sleep(interval)
