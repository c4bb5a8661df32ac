"""One number request is one trace: the gateway, Kafka, ordering, DIDWW, Kafka, sip-routing,
PortSIP, Kafka, assignment — each service exporting its spans over OTLP to the test's receiver."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from velotest import eventually

from .conftest import RunningSystem
from .flows import first_offer, request_number, until_status
from .otlp import OtlpReceiver, Span

pytestmark = pytest.mark.infra
Hop = Callable[[Span], bool]
REPORT = Path(__file__).resolve().parents[2] / ".var/test-output/observability"


def _hops(running: RunningSystem) -> dict[str, Hop]:
    didww, portsip = running.url("didww-sandbox"), running.url("portsip-sandbox")

    def calls(service: str, base: str, path: str) -> Hop:
        return lambda s: (
            s.service == service and s.kind == "CLIENT" and _url(s).startswith(f"{base}{path}")
        )

    def kafka(service: str, kind: str, topic: str) -> Hop:
        action = "publish" if kind == "PRODUCER" else "process"
        return lambda s: (s.service, s.kind, s.name) == (service, kind, f"{topic} {action}")

    return {
        "gateway takes the request": lambda s: (
            (s.service, s.kind, s.name) == ("gateway", "SERVER", "POST /v1/number-requests")
        ),
        "gateway sends RequestNumber": kafka("gateway", "PRODUCER", "velo.ordering.commands.v1"),
        "ordering takes it": kafka("ordering", "CONSUMER", "velo.ordering.commands.v1"),
        "ordering orders at DIDWW": calls("ordering", didww, "/v3/orders"),
        "ordering announces": kafka("ordering", "PRODUCER", "velo.ordering.events.v1"),
        "sip-routing hears": kafka("sip-routing", "CONSUMER", "velo.ordering.events.v1"),
        "sip-routing configures PortSIP": calls("sip-routing", portsip, "/api/"),
        "sip-routing announces": kafka("sip-routing", "PRODUCER", "velo.routing.events.v1"),
        "assignment hears": kafka("assignment", "CONSUMER", "velo.routing.events.v1"),
    }


def _url(span: Span) -> str:
    return span.attributes.get("url.full") or span.attributes.get("http.url") or ""


def _missing(spans: list[Span], hops: dict[str, Hop], root: str) -> list[str]:
    """Names the hops not in spans, and spans whose parent is not in the trace (yet)."""
    ids = {span.span_id for span in spans} | {root}
    gaps = [name for name, hop in hops.items() if not any(hop(span) for span in spans)]
    orphans = [
        f"{s.service}: {s.name} (parent not exported)" for s in spans if s.parent_id not in ids
    ]
    return gaps + orphans


async def test_a_number_request_is_one_trace_through_every_service_and_vendor(
    running: RunningSystem, otlp: OtlpReceiver
) -> None:
    trace_id, root = secrets.token_hex(16), secrets.token_hex(8)  # as the admin UI's would be
    async with running.api() as api:
        offer = await first_offer(api, "US", "local")
        body = {"offer_id": offer["offer_id"]}
        await request_number(api, body, traceparent=f"00-{trace_id}-{root}-01")
        await until_status(api, offer["number"], "active")

    hops = _hops(running)
    missing = await _eventually_complete(otlp, trace_id, hops, root)
    assert missing == [], f"trace {trace_id} lacks: {missing}"
    spans = otlp.of_trace(trace_id)
    services = {span.service for span in spans}
    assert {"gateway", "ordering", "sip-routing", "assignment"} <= services
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / "number-request-trace.txt").write_text(_tree(spans, root, trace_id))


def _tree(spans: list[Span], root: str, trace_id: str) -> str:
    """The trace as an indented tree: service, kind, span name (URL of a client call)."""
    children: dict[str, list[Span]] = {}
    for span in spans:
        children.setdefault(span.parent_id, []).append(span)
    lines = [f"trace {trace_id} ({len(spans)} spans)"]

    def walk(parent: str, depth: int) -> None:
        for span in children.get(parent, []):
            what = f"{span.name} {_url(span)}".strip()
            lines.append(f"{'  ' * depth}{span.service:<12} {span.kind:<8} {what}")
            walk(span.span_id, depth + 1)

    walk(root, 1)
    return "\n".join(lines) + "\n"


async def _eventually_complete(
    otlp: OtlpReceiver, trace_id: str, hops: dict[str, Hop], root: str
) -> list[str]:
    """Waits (spans are exported in batches, every few seconds) until the trace is whole."""
    with contextlib.suppress(AssertionError):
        await eventually(lambda: not _missing(otlp.of_trace(trace_id), hops, root), timeout=45)
    return _missing(otlp.of_trace(trace_id), hops, root)
