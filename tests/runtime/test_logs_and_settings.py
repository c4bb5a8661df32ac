"""Logs never carry secrets; settings come from the environment; backoff grows and is capped."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from velo_runtime import Backoff, ServiceSettings, configure_logging, get_logger


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    yield capsys
    logging.getLogger().handlers.clear()


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def test_secret_fields_and_bearer_tokens_are_redacted(
    json_logs: pytest.CaptureFixture[str],
) -> None:
    configure_logging("test", "INFO", json=True)  # here, not in the fixture: pytest resets logging
    get_logger("t").info(
        "calling_vendor",
        api_key="didww-live-key-123",
        portsip_password="hunter2",
        header="Authorization: Bearer eyJhbGciOi.payload.sig",
        tenant_id="acme",
    )
    [line] = _lines(json_logs)
    serialized = json.dumps(line)
    assert "didww-live-key-123" not in serialized and "hunter2" not in serialized
    assert "eyJhbGciOi" not in serialized
    assert line["tenant_id"] == "acme" and line["service"] == "test"


def test_standard_library_logs_come_out_as_json_too(json_logs: pytest.CaptureFixture[str]) -> None:
    configure_logging("test", "INFO", json=True)
    logging.getLogger("some.library").warning("port %s busy", 8080)
    [line] = _lines(json_logs)
    assert (line["event"], line["level"]) == ("port 8080 busy", "warning")


def test_shared_settings_come_from_velo_variables_and_own_ones_from_the_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from velo_ordering.settings import OrderingSettings

    monkeypatch.setenv("VELO_KAFKA_BOOTSTRAP", "kafka.example:9092")
    monkeypatch.setenv("VELO_MONGO_URL", "mongodb://db.example:27017/")
    monkeypatch.setenv("VELO_ORDERING_HTTP_PORT", "9999")
    monkeypatch.setenv("VELO_HTTP_PORT", "1")  # not the ordering service's
    settings = OrderingSettings()
    assert settings.kafka_bootstrap == "kafka.example:9092"
    assert settings.mongo_url == "mongodb://db.example:27017/"
    assert (settings.http_port, settings.mongo_database) == (9999, "velo_ordering")


def test_backoff_doubles_with_jitter_and_stops_at_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=5.0)
    assert 0.5 <= backoff.delay(1) <= 1.0
    assert 2.0 <= backoff.delay(3) <= 4.0
    assert all(2.5 <= backoff.delay(n) <= 5.0 for n in (4, 10, 50))


def test_settings_refuse_a_nonsense_retry_policy() -> None:
    with pytest.raises(ValueError, match="retry_deadline_seconds"):
        ServiceSettings(retry_deadline_seconds=0)
