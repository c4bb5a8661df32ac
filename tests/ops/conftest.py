"""A real service parking messages on the session's Kafka, and `velo-dlq` run as operators do."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from faststream.kafka import KafkaRouter
from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import Actor, AssignNumber, Role, Topic
from velo_contracts.topics import OPS_EVENTS
from velo_runtime import ServiceSettings, build_service, consumes
from velo_runtime.topics import ensure_topics
from velotest import eventually, read_all

VELO_DLQ = Path(sys.executable).parent / "velo-dlq"
ADMIN = Actor(user_id="admin@acme", role=Role.ADMIN)


@dataclass(frozen=True)
class Ran:
    """What one run of `velo-dlq` did."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The output parsed as JSON."""
        return json.loads(self.out)


@dataclass
class Dlq:
    """Runs `velo-dlq` as a separate process against the session's Kafka and a test database."""

    env: dict[str, str]

    async def __call__(self, *args: str, **env: str) -> Ran:
        process = await asyncio.create_subprocess_exec(
            str(VELO_DLQ),
            *args,
            env=self.env | env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=90)
        assert process.returncode is not None
        return Ran(process.returncode, out.decode(), err.decode())


@pytest.fixture
def dlq(kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Any]) -> Dlq:
    """`velo-dlq` with this test's own actions database."""
    return Dlq(
        {
            "PATH": str(VELO_DLQ.parent),
            "VELO_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "VELO_MONGO_URL": mongo_url,
            "VELO_OPS_MONGO_DATABASE": mongo_db.name,
            "COLUMNS": "200",
        }
    )


@dataclass
class Parking:
    """A topic of this test whose handler always fails, so what is sent there gets parked."""

    bootstrap: str
    topic: Topic

    async def park(self, *commands: AssignNumber) -> list[str]:
        """Sends commands through a real service and returns their dead letters' ids."""
        service = build_service(
            ServiceSettings(
                service_name="parking",
                kafka_bootstrap=self.bootstrap,
                retry_deadline_seconds=0.2,
                retry_backoff_seconds=0.01,
                retry_backoff_max_seconds=0.05,
            ),
            uses_mongo=False,
        )
        router = KafkaRouter()

        @consumes(router, self.topic, group_id=f"{self.topic.name}.group")
        async def on_assign_number(command: AssignNumber) -> None:
            raise RuntimeError(f"PortSIP said no to {command.number}")

        service.include(router)
        before = len(await read_all(self.bootstrap, self.topic.dlq))
        await service.start()
        try:
            for command in commands:
                await service.publisher.publish(command, self.topic)
            parked = await eventually(lambda: self._parked_after(before, len(commands)), timeout=30)
        finally:
            await service.stop()
        return [f"{r.topic}/{r.partition}/{r.offset}" for r in parked]

    async def _parked_after(self, before: int, count: int) -> list[ConsumerRecord[Any, Any]]:
        records = (await read_all(self.bootstrap, self.topic.dlq))[before:]
        return records if len(records) >= count else []

    async def originals(self) -> list[ConsumerRecord[Any, Any]]:
        """Every record of the original topic (sent and replayed)."""
        return await read_all(self.bootstrap, self.topic.name)


@pytest.fixture
async def parking(kafka_bootstrap: str, unique: Callable[[str], str]) -> AsyncIterator[Parking]:
    """A failing topic of this test's own (and its DLQ)."""
    topic = Topic(
        unique("test.opsdlq.commands.v1"), "test", "commands", (AssignNumber,), "", AssignNumber
    )
    await ensure_topics(kafka_bootstrap, [topic, OPS_EVENTS])
    yield Parking(kafka_bootstrap, topic)


def assign(number: str = "+12122001970", tenant: str = "acme") -> AssignNumber:
    """An assignment command an admin of tenant sent."""
    return AssignNumber(tenant_id=tenant, actor=ADMIN, number=number, outbound_agent="101")


async def ops_events(bootstrap: str, dead_letter: str) -> list[dict[str, Any]]:
    """The ops events about one dead letter on velo.ops.events.v1."""
    records = await read_all(bootstrap, OPS_EVENTS.name)
    events = [json.loads(record.value) for record in records]
    return [event for event in events if event.get("dead_letter") == dead_letter]
