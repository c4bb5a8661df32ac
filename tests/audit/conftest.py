"""An audit service on the session's Kafka, with its own database and consumer group per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from velo_audit.app import create_app
from velo_audit.settings import AuditSettings
from velo_contracts import Message, Topic
from velo_runtime import Service
from velo_runtime.kafka import envelope_headers


@dataclass
class Audit:
    """A running audit service and a way to call its API."""

    service: Service
    http: httpx.AsyncClient

    async def entries(self, tenant: str, **params: Any) -> list[dict[str, Any]]:
        """Returns every entry of tenant's audit log matching params, following the cursors."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {**params, "limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await self.http.get(f"/v1/tenants/{tenant}/audit", params=query)).json()
            items += page["items"]
            if not (cursor := page["next_cursor"]):
                return items

    async def alerts(self, tenant: str, user: str) -> list[dict[str, Any]]:
        """Returns the alerts user sees."""
        found = await self.http.get(f"/v1/tenants/{tenant}/alerts", params={"user": user})
        items: list[dict[str, Any]] = found.json()["items"]
        return items


def audit_settings(kafka: str, mongo: str, unique: Callable[[str], str]) -> AuditSettings:
    """Settings for a test audit service: its own database and group."""
    return AuditSettings(
        kafka_bootstrap=kafka,
        mongo_url=mongo,
        mongo_database=unique("audit").replace("-", "_"),
        group_prefix=unique("velo.audit"),
        retry_backoff_seconds=0.05,
        retry_backoff_max_seconds=0.5,
    )


@pytest.fixture
async def audit(
    kafka_bootstrap: str, mongo_url: str, unique: Callable[[str], str]
) -> AsyncIterator[Audit]:
    service = create_app(audit_settings(kafka_bootstrap, mongo_url, unique))
    await service.start()
    transport = httpx.ASGITransport(app=service.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://audit") as http:
        yield Audit(service, http)
    await service.mongo.drop_database(service.settings.mongo_database)  # type: ignore[union-attr]
    await service.stop()


@pytest.fixture
async def send(kafka_bootstrap: str) -> AsyncIterator[Callable[..., Any]]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()

    async def send(
        message: Message, topic: Topic | str, extra: dict[str, str] | None = None
    ) -> None:
        headers = envelope_headers(message) | (extra or {})
        await producer.send_and_wait(
            topic if isinstance(topic, str) else topic.name,
            message.model_dump_json().encode(),
            key=message.partition_key().encode(),
            headers=[(k, v.encode()) for k, v in headers.items()],
        )

    yield send
    await producer.stop()
