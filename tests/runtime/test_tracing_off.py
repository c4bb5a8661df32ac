"""Tracing is off unless an OTLP endpoint is configured; the standard OpenTelemetry variable is
read too, ours first."""

from __future__ import annotations

import pytest

from velo_runtime import ServiceSettings, build_service, tracing


def test_without_an_endpoint_nothing_is_traced_or_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VELO_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    service = build_service(ServiceSettings(service_name="quiet"), uses_mongo=False)
    middlewares = len(service.broker.middlewares)

    assert tracing.install(service) is None
    assert len(service.broker.middlewares) == middlewares
    assert tracing.carrier() == {}
    with tracing.continued("resume", {"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"}):
        assert tracing.carrier() == {}


def test_the_endpoint_comes_from_ours_else_the_standard_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VELO_OTLP_ENDPOINT", raising=False)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert ServiceSettings().otlp_endpoint == "http://collector:4318"
    monkeypatch.setenv("VELO_OTLP_ENDPOINT", "http://ours:4318/")
    assert ServiceSettings().otlp_endpoint == "http://ours:4318/"
    assert tracing.traces_url(ServiceSettings().otlp_endpoint) == "http://ours:4318/v1/traces"
