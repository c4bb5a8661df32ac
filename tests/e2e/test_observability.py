"""What SRE sees: per-service metrics of messages, vendor calls and request → Active; JSON logs."""

from __future__ import annotations

import json

import httpx
import pytest

from .conftest import RunningSystem
from .flows import active_number

pytestmark = pytest.mark.infra


def _metrics(running: RunningSystem, service: str) -> str:
    return httpx.get(f"{running.url(service)}/metrics", timeout=10).text


async def test_metrics_and_logs_follow_a_request_to_active(running: RunningSystem) -> None:
    async with running.api() as api:
        number = await active_number(api)

    assert (
        'velo_vendor_call_seconds_count{operation="POST /v3/orders",outcome="2xx",vendor="didww"}'
        in _metrics(running, "ordering")
    )
    sip = _metrics(running, "sip-routing")
    assert 'vendor="portsip"' in sip and 'outcome="2xx"' in sip
    assignment = _metrics(running, "assignment")
    count = next(
        line
        for line in assignment.splitlines()
        if line.startswith("velo_request_to_active_seconds_count")
    )
    assert float(count.split()[-1]) >= 1
    assert "faststream_received_messages_total" in assignment
    for service in ("ordering", "sip-routing", "assignment", "audit", "gateway"):
        ready = httpx.get(f"{running.url(service)}/ready", timeout=10)  # noqa: ASYNC210
        assert ready.status_code == 200, (service, ready.text)

    log = running.system.logs / "ordering.log"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    about = [line for line in lines if line.get("number") == number]
    assert about and all(line["tenant_id"] == "acme" and line["correlation_id"] for line in about)
