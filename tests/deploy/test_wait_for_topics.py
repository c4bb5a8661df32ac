"""velo_runtime.wait_for_topics (each Kubernetes service's init container), on a real Kafka."""

from __future__ import annotations

import asyncio

import pytest

from velo_contracts import Topic
from velo_runtime.topics import ensure_topics, missing_topics, wait_for_topics

pytestmark = pytest.mark.infra


def a_topic(name: str) -> Topic:
    return Topic(name, "test", "events", (), "a topic of this test", None, partitions=2)


async def test_names_the_topics_and_dlqs_kafka_does_not_hold_yet(kafka_bootstrap, unique):
    topic = a_topic(unique("velo.deploytest.events.v1"))
    assert await missing_topics(kafka_bootstrap, [topic]) == [topic.name, topic.dlq]
    await ensure_topics(kafka_bootstrap, [topic])
    assert await missing_topics(kafka_bootstrap, [topic]) == []


async def test_waits_until_someone_else_has_created_every_topic(kafka_bootstrap, unique):
    topic = a_topic(unique("velo.deploytest.commands.v1"))
    waiting = asyncio.create_task(wait_for_topics(kafka_bootstrap, [topic], interval=0.1))
    try:
        await asyncio.sleep(1.0)  # several polls: it must still be waiting, having made nothing
        assert not waiting.done()
        assert await missing_topics(kafka_bootstrap, [topic]) == [topic.name, topic.dlq]
        await ensure_topics(kafka_bootstrap, [topic])
        await asyncio.wait_for(waiting, timeout=30)
    finally:
        waiting.cancel()
