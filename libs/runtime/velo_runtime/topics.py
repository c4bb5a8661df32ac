"""Creates the registry's topics (and their DLQs) with the right settings before first use."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from velo_contracts import Topic


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
