"""The runtime glue on a real Kafka broker: consume, publish, redeliver after a crash, DLQ."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaRouter

from velo_contracts import Actor, NumberRequested, RequestNumber, Role, Topic
from velo_runtime import Service, ServiceSettings, build_service, consumes
from velotest import eventually, read_topic

pytestmark = pytest.mark.infra
ADMIN = Actor(user_id="admin-1", role=Role.ADMIN)


def _settings(bootstrap: str, **overrides: object) -> ServiceSettings:
    chosen: dict[str, object] = {
        "retry_deadline_seconds": 0.3,
        "retry_backoff_seconds": 0.01,
        "retry_backoff_max_seconds": 0.05,
    }
    return ServiceSettings(service_name="test", kafka_bootstrap=bootstrap, **chosen | overrides)


def _command(request_id: str, number: str = "+493012345678") -> RequestNumber:
    pick = {"kind": "specific", "country": "DE", "number_type": "local", "number": number}
    return RequestNumber(tenant_id="acme", actor=ADMIN, request_id=request_id, pick=pick)


def _topics(unique: Callable[[str], str]) -> tuple[Topic, Topic]:
    commands = Topic(
        unique("test.commands.v1"), "test", "commands", (RequestNumber,), "", RequestNumber
    )
    events = Topic(
        unique("test.events.v1"), "test", "events", (NumberRequested,), "", NumberRequested
    )
    return commands, events


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    yield producer
    await producer.stop()


async def _send(
    producer: AIOKafkaProducer, topic: str, command: RequestNumber, **headers: str
) -> None:
    await producer.send_and_wait(
        topic,
        command.model_dump_json().encode(),
        key=b"+493012345678",
        headers=[(name, value.encode()) for name, value in headers.items()],
    )


async def test_a_command_is_consumed_and_its_event_published_through_kafka(
    kafka_bootstrap: str, unique: Callable[[str], str], producer: AIOKafkaProducer
) -> None:
    commands, events = _topics(unique)
    service = build_service(_settings(kafka_bootstrap), uses_mongo=False)
    router = KafkaRouter()

    @consumes(router, commands, group_id=unique("group"))
    async def on_request_number(command: RequestNumber) -> None:
        event = NumberRequested.caused_by(command, request_id=command.request_id, pick=command.pick)
        await service.publisher.publish(event, events)

    service.include(router)
    await service.start()
    try:
        command = _command("req-1")
        await _send(producer, commands.name, command)
        [record] = await read_topic(kafka_bootstrap, events.name, 1)
    finally:
        await service.stop()

    event = NumberRequested.model_validate_json(record.value)
    assert (event.request_id, event.tenant_id) == ("req-1", "acme")
    assert event.causation_id == command.message_id
    assert event.correlation_id == command.correlation_id
    assert record.key == command.correlation_id.encode()  # no number on the event: keyed by request
    assert dict(record.headers)["velo-type"] == b"NumberRequested"


async def test_a_consumer_killed_before_acking_leaves_the_message_for_the_next_one(
    kafka_bootstrap: str, unique: Callable[[str], str], producer: AIOKafkaProducer
) -> None:
    commands, _ = _topics(unique)
    group = unique("group")
    await _send(producer, commands.name, _command("done-1"))
    await _send(producer, commands.name, _command("hang-2"))
    script = Path(__file__).with_name("crashing_consumer.py")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        kafka_bootstrap,
        commands.name,
        group,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        reports = await asyncio.wait_for(_reports(proc.stdout, until="hanging"), 60)
    finally:
        proc.kill()  # SIGKILL: no shutdown hook, no commit
        await proc.wait()
    assert reports == ["handled done-1", "hanging hang-2"]

    seen: list[str] = []
    service = build_service(_settings(kafka_bootstrap), uses_mongo=False)
    router = KafkaRouter()

    @consumes(router, commands, group_id=group, session_timeout_ms=6000, heartbeat_interval_ms=1000)
    async def on_request_number(command: RequestNumber) -> None:
        seen.append(command.request_id)

    service.include(router)
    await service.start()
    try:
        await eventually(lambda: seen, timeout=60)
    finally:
        await service.stop()
    assert seen == ["hang-2"]  # redelivered; the acked one is not


async def _reports(stream: asyncio.StreamReader | None, until: str) -> list[str]:
    """Reads the consumer's report lines (skipping logs) until one starts with until."""
    assert stream is not None
    reports: list[str] = []
    while not (reports and reports[-1].startswith(until)):
        line = (await stream.readline()).decode().strip()
        if not line:
            raise AssertionError(f"consumer exited after {reports}")
        if line.startswith(("handled", "hanging")):
            reports.append(line)
    return reports


async def _dlq_service(
    bootstrap: str,
    commands: Topic,
    group: str,
    calls: list[str],
    fails_until: int = 10**9,
    **overrides: object,
) -> Service:
    """A service whose handler fails for `poison*` requests, the first fails_until times."""
    service = build_service(_settings(bootstrap, **overrides), uses_mongo=False)
    router = KafkaRouter()

    @consumes(router, commands, group_id=group)
    async def on_request_number(command: RequestNumber) -> None:
        calls.append(command.request_id)
        failing = command.request_id.startswith("poison")
        if failing and calls.count(command.request_id) <= fails_until:
            raise RuntimeError(f"cannot handle {command.request_id}")

    service.include(router)
    await service.start()
    return service


async def test_a_failing_message_is_parked_in_the_dlq_after_its_deadline_and_the_partition_moves_on(
    kafka_bootstrap: str, unique: Callable[[str], str], producer: AIOKafkaProducer
) -> None:
    commands, _ = _topics(unique)
    calls: list[str] = []
    poison = _command("poison-1")
    await _send(producer, commands.name, poison, **{"x-trace": "trace-42"})
    await _send(producer, commands.name, _command("good-2"))
    service = await _dlq_service(kafka_bootstrap, commands, unique("group"), calls)
    try:
        [dead] = await read_topic(kafka_bootstrap, commands.dlq, 1)
        await eventually(lambda: "good-2" in calls)
        transport = httpx.ASGITransport(app=service.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
            metrics = (await http.get("/metrics")).text
    finally:
        await service.stop()

    tries = calls.count("poison-1")
    assert tries >= 2
    assert calls == ["poison-1"] * tries + ["good-2"]
    headers = {name: value.decode() for name, value in dead.headers}
    assert json.loads(dead.value) == json.loads(poison.model_dump_json())
    assert dead.key == b"+493012345678"
    assert headers["x-trace"] == "trace-42"
    assert headers["x-dlq-error-type"] == "RuntimeError"
    assert headers["x-dlq-error"] == "cannot handle poison-1"
    assert headers["x-dlq-attempts"] == str(tries)
    assert headers["x-dlq-original-topic"] == commands.name
    assert f'velo_messages_dead_lettered_total{{topic="{commands.name}"}} 1.0' in metrics


async def test_a_fault_that_outlasts_many_tries_delays_the_message_but_never_drops_it(
    kafka_bootstrap: str, unique: Callable[[str], str], producer: AIOKafkaProducer
) -> None:
    # Defect 1 of issue 12: five quick tries (~8 s) were shorter than a peer's restart, and the
    # command was dead-lettered. Now it is retried until the fault ends, well past five tries.
    commands, _ = _topics(unique)
    calls: list[str] = []
    await _send(producer, commands.name, _command("poison-slow"))
    await _send(producer, commands.name, _command("good-after"))
    service = await _dlq_service(
        kafka_bootstrap, commands, unique("group"), calls, fails_until=12, retry_deadline_seconds=60
    )
    try:
        await eventually(lambda: "good-after" in calls, timeout=60)
        transport = httpx.ASGITransport(app=service.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
            metrics = (await http.get("/metrics")).text
    finally:
        await service.stop()
    assert calls == ["poison-slow"] * 13 + ["good-after"]
    assert f'velo_handler_retries_total{{topic="{commands.name}"}} 12.0' in metrics
    assert f'velo_messages_dead_lettered_total{{topic="{commands.name}"}} 0.0' in metrics


async def test_a_message_that_cannot_parse_goes_to_the_dlq_at_once(
    kafka_bootstrap: str, unique: Callable[[str], str], producer: AIOKafkaProducer
) -> None:
    commands, _ = _topics(unique)
    calls: list[str] = []
    await producer.send_and_wait(commands.name, b'{"type": "RequestNumber", "tenant_id": ""}')
    await _send(producer, commands.name, _command("good-1"))
    service = await _dlq_service(kafka_bootstrap, commands, unique("group"), calls)
    try:
        [dead] = await read_topic(kafka_bootstrap, commands.dlq, 1)
        await eventually(lambda: calls == ["good-1"])
    finally:
        await service.stop()
    headers = {name: value.decode() for name, value in dead.headers}
    assert headers["x-dlq-attempts"] == "1"
    assert "ValidationError" in headers["x-dlq-error-type"]
