"""Session-wide real infrastructure: Kafka and a MongoDB-wire database.

Where they come from, in order: the VELO_KAFKA_BOOTSTRAP and VELO_MONGO_URL environment variables
(external servers); testcontainers' Kafka and MongoDB when a Docker engine answers; otherwise the
project's own local Kafka (KRaft) and mongo-java-server (memory backend: nothing left on disk),
started once for the session on free ports.
Each test gets its own database and its own topic names, so tests don't see each other's data.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from velo_devinfra import InfraEndpoints, LocalInfra
from velo_runtime.queryplan import uncovered


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfraEndpoints]:
    """Real Kafka and MongoDB-wire endpoints for the whole session."""
    bootstrap, mongo_url = os.environ.get("VELO_KAFKA_BOOTSTRAP"), os.environ.get("VELO_MONGO_URL")
    if bootstrap and mongo_url:
        yield InfraEndpoints(bootstrap, mongo_url)
    elif _docker_answers():
        yield from _containers()
    else:
        yield from _local(tmp_path_factory.mktemp("infra"))


def _containers() -> Iterator[InfraEndpoints]:
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.mongodb import MongoDbContainer

    with KafkaContainer().with_kraft() as kafka, MongoDbContainer("mongo:7") as mongo:
        yield InfraEndpoints(kafka.get_bootstrap_server(), mongo.get_connection_url())


def _local(data_dir: Path) -> Iterator[InfraEndpoints]:
    local = LocalInfra(data_dir, mongo_backend="memory")
    local.start()
    try:
        asyncio.run(local.wait_ready())
        yield local.endpoints
    finally:
        local.stop()


@pytest.fixture(autouse=True)
def every_query_has_an_index() -> Iterator[None]:
    """Fails a test during which a service in this process sent a query no index serves."""
    before = len(uncovered())
    yield
    unplanned = uncovered()[before:]
    assert not unplanned, f"queries without a serving index: {unplanned}"


@pytest.fixture
def kafka_bootstrap(infra: InfraEndpoints) -> str:
    """Bootstrap address of the session's Kafka."""
    return infra.kafka_bootstrap


@pytest.fixture
def mongo_url(infra: InfraEndpoints) -> str:
    """Connection string of the session's MongoDB-wire database."""
    return infra.mongo_url


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Makes names (topics, groups, tenants) no other test uses."""
    token = uuid.uuid4().hex[:10]
    return lambda name: f"{name}-{token}"


@pytest.fixture
async def mongo_db(infra: InfraEndpoints) -> AsyncIterator[AsyncDatabase[dict[str, object]]]:
    """A database of this test's own, dropped afterwards."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    name = f"test_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()
