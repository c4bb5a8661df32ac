"""One trace across hops on a real Kafka: HTTP in, HTTP out, produce, consume, and work resumed
later from a stored context — with `traceparent` on the wire each time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from faststream.kafka import KafkaRouter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from velo_contracts import Actor, RequestNumber, Role, Topic
from velo_runtime import Service, ServiceSettings, build_service, consumes, tracing
from velotest import eventually, read_topic

pytestmark = pytest.mark.infra
ADMIN = Actor(user_id="admin-1", role=Role.ADMIN)


class Vendor:
    """A tiny HTTP server standing in for DIDWW: answers 200 and keeps each request's headers."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        lines = head.split("\r\n")[1:]
        self.headers.append(
            {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        )
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()


@pytest.fixture
async def vendor() -> AsyncIterator[Vendor]:
    vendor = Vendor()
    vendor.server = await asyncio.start_server(vendor._answer, "127.0.0.1", 0)
    yield vendor
    vendor.server.close()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    yield exporter
    tracing.uninstall()


def _service(name: str, bootstrap: str) -> Service:
    return build_service(
        ServiceSettings(service_name=name, kafka_bootstrap=bootstrap), uses_mongo=False
    )


def _command(request_id: str) -> RequestNumber:
    pick = {"kind": "next_available", "country": "DE", "number_type": "local"}
    return RequestNumber(tenant_id="acme", actor=ADMIN, request_id=request_id, pick=pick)


async def test_a_request_is_one_trace_from_http_through_kafka_to_work_resumed_later(
    kafka_bootstrap: str,
    unique: Callable[[str], str],
    vendor: Vendor,
    spans: InMemorySpanExporter,
) -> None:
    topic = Topic(unique("trace.commands.v1"), "front", "commands", (RequestNumber,), "", Any)
    front, back = _service("front", kafka_bootstrap), _service("back", kafka_bootstrap)
    stored: list[dict[str, str]] = []

    @front.http.post("/v1/requests/{request_id}")
    async def request(request_id: str) -> dict[str, str]:
        async with httpx.AsyncClient() as client:
            await client.get(f"{vendor.url}/v3/available_dids")
        await front.publisher.publish(_command(request_id), topic)
        return {"id": request_id}

    router = KafkaRouter()

    @consumes(router, topic.name, group_id=unique("group"))
    async def on_command(command: RequestNumber) -> None:
        stored.append(tracing.carrier())  # as a document keeps it, for work done later

    back.include(router)
    for service in (front, back):
        assert tracing.install(service, spans) is not None
        await service.start()
    try:
        transport = httpx.ASGITransport(app=front.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://front") as client:
            assert (await client.post("/v1/requests/r-1")).status_code == 200
        await eventually(lambda: stored)
        with tracing.continued("callback arrived"), tracing.continued("resume", stored[0]):
            async with httpx.AsyncClient() as client:  # resumed on a callback (another trace)
                await client.post(f"{vendor.url}/v3/orders")
    finally:
        for service in (back, front):
            await service.stop()

    finished = spans.get_finished_spans()
    server = next(s for s in finished if s.kind is SpanKind.SERVER)
    trace_id = server.context.trace_id
    resumed = next(s for s in finished if s.name == "resume")
    callback = next(s for s in finished if s.name == "callback arrived")
    in_trace = [s for s in finished if s.context.trace_id == trace_id]
    kinds = {(s.resource.attributes["service.name"], s.kind) for s in in_trace}
    assert {("front", SpanKind.SERVER), ("front", SpanKind.PRODUCER)} <= kinds
    assert ("back", SpanKind.CONSUMER) in kinds
    assert sum(s.kind is SpanKind.CLIENT for s in in_trace) == 2  # both vendor calls
    assert resumed in in_trace and callback.context.trace_id != trace_id
    assert [link.context.span_id for link in resumed.links] == [callback.context.span_id]
    on_the_wire = [h["traceparent"].split("-")[1] for h in vendor.headers]
    assert on_the_wire == [f"{trace_id:032x}"] * 2
    [record] = await read_topic(kafka_bootstrap, topic.name, 1)
    headers = dict(record.headers)
    assert headers["traceparent"].decode().split("-")[1] == f"{trace_id:032x}"
    assert headers["velo-type"] == b"RequestNumber"  # the envelope headers are kept
