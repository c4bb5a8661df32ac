"""OpenTelemetry traces across hops: HTTP in and out, Kafka produce and consume.

Off unless an OTLP endpoint is configured (`VELO_OTLP_ENDPOINT`, else the standard
`OTEL_EXPORTER_OTLP_ENDPOINT`): then `run_service` installs it for the process — FastAPI's server
spans (not for /health, /ready, /metrics), httpx client spans, and FastStream's Kafka spans, which
carry W3C `traceparent` in each record's headers, so a consumer's work joins its producer's trace.

Work that waits — a request ordering resumes on DIDWW's callback, a route sip-routing converges
later — keeps the trace that caused it: the document stores `carrier()` when it is written, and
the later work runs inside `continued(stored)`, a span whose parent is the stored context (and
which links the context it was resumed from, a callback's, say). With tracing off, `carrier()` is
empty and `continued` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Link, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from velo_runtime.logs import get_logger

if TYPE_CHECKING:
    from velo_runtime.service import Service

Carrier = Mapping[str, str]
UNTRACED_URLS = r"/health$,/ready$,/metrics$"
_PROPAGATOR = TraceContextTextMapPropagator()
log = get_logger(__name__)


@dataclass
class _Installed:
    provider: TracerProvider
    tracer: Tracer


_installed: _Installed | None = None


def traces_url(endpoint: str) -> str:
    """Returns where an OTLP/HTTP collector at endpoint (a base URL) takes traces."""
    return f"{endpoint.rstrip('/')}/v1/traces"


def install(service: Service, exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Traces service's HTTP and Kafka work when an OTLP endpoint is configured (or an exporter
    is given: tests); returns the provider, or None when tracing stays off.

    One service per process: httpx is instrumented process-wide, for the first service."""
    global _installed
    endpoint = service.settings.otlp_endpoint
    if exporter is None and not endpoint:
        return None
    if exporter is None:
        processor: Any = BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(endpoint)))
    else:
        processor = SimpleSpanProcessor(exporter)
    resource = Resource.create({"service.name": service.settings.service_name})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(processor)
    FastAPIInstrumentor.instrument_app(
        service.http,
        tracer_provider=provider,
        excluded_urls=UNTRACED_URLS,
        exclude_spans=["receive", "send"],  # one span per request, not one per ASGI message
    )
    service.broker.insert_middleware(KafkaTelemetryMiddleware(tracer_provider=provider))
    if _installed is None:
        HTTPXClientInstrumentor().instrument(tracer_provider=provider)
        _installed = _Installed(provider, provider.get_tracer("velo_runtime"))
    service.on_stop.append(_flusher(provider))
    log.info("tracing_on", exporter="otlp" if exporter is None else type(exporter).__name__)
    return provider


def uninstall() -> None:
    """Undoes the process-wide part of `install` (for tests)."""
    global _installed
    if _installed is not None:
        HTTPXClientInstrumentor().uninstrument()
        _installed.provider.shutdown()
        _installed = None


def _flusher(provider: TracerProvider) -> Any:
    async def flush() -> None:
        provider.force_flush(timeout_millis=5000)

    return flush


def carrier() -> dict[str, str]:
    """Returns the current trace context as W3C headers, to store with work done later."""
    headers: dict[str, str] = {}
    if _installed is not None:
        _PROPAGATOR.inject(headers)
    return headers


@contextmanager
def continued(name: str, *stored: Carrier | None) -> Iterator[None]:
    """Runs the block in a span continuing the first stored trace context (else the current
    one), linking the other stored contexts and the one the block was resumed from."""
    if _installed is None:
        yield
        return
    contexts = [_PROPAGATOR.extract(dict(c)) for c in stored if c]
    if not contexts:
        with _installed.tracer.start_as_current_span(name):
            yield
        return
    spans = [trace.get_current_span(c).get_span_context() for c in contexts]
    resumed_from = trace.get_current_span().get_span_context()
    others = [
        s for s in [*spans[1:], resumed_from] if s.is_valid and s.trace_id != spans[0].trace_id
    ]
    links = [Link(s) for s in {(s.trace_id, s.span_id): s for s in others}.values()]
    with _installed.tracer.start_as_current_span(name, context=contexts[0], links=links):
        yield


@contextmanager
def within(stored: Carrier | None) -> Iterator[None]:
    """Runs the block inside a stored trace context (no span of its own); as is without one."""
    if _installed is None or not stored:
        yield
        return
    token = otel_context.attach(_PROPAGATOR.extract(dict(stored)))
    try:
        yield
    finally:
        otel_context.detach(token)
