"""Error mapping, retries only where safe, timeouts, and the sandbox's fault injection."""

from __future__ import annotations

import httpx
import pytest

from velo_portsip import (
    InboundRuleInput,
    NotFound,
    PortsipClient,
    RetryPolicy,
    Unavailable,
    ValidationFailed,
)
from velo_sandbox.portsip import SandboxConfig, create_app
from velo_sandbox.serve import serve_in_thread

from .conftest import ACME, Sandbox


def _faults(sandbox: Sandbox, **plan: object) -> None:
    sandbox.admin("POST", "/faults", json=plan).raise_for_status()


async def test_unknown_ids_are_not_found(acme: PortsipClient) -> None:
    with pytest.raises(NotFound) as missing:
        await acme.inbound_rules.get("NzAwNTUxOTA5NzczMTQ5OTk5")
    assert missing.value.status == 404 and missing.value.code == "NOT_FOUND"


async def test_refusals_carry_portsips_code_and_message(acme: PortsipClient, trunk_id: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await acme.inbound_rules.create(
            InboundRuleInput.forwarding("101", name="x", did="442071234567", provider_id=trunk_id)
        )
    assert refused.value.code == "VALIDATE_FAILED"
    assert "not in the DID pool" in refused.value.message


async def test_reads_are_retried_through_a_short_outage(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    await acme.login()
    _faults(sandbox, burst_count=2, burst_status=503)
    assert len(await acme.directory.call_queues()) == 3
    assert sandbox.counted("GET /api/call_queues") == 3


async def test_a_long_outage_ends_in_unavailable(sandbox: Sandbox, acme: PortsipClient) -> None:
    await acme.login()
    _faults(sandbox, burst_count=10, burst_status=500)
    with pytest.raises(Unavailable) as down:
        await acme.users.list()
    assert down.value.status == 500 and sandbox.counted("GET /api/users") == 3


async def test_creates_are_never_retried(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.add_did(trunk_id, "442071234567")
    _faults(sandbox, burst_count=1, burst_status=502)
    with pytest.raises(Unavailable):
        await acme.inbound_rules.create(  # an external target: nothing to look up first
            InboundRuleInput.forwarding_external(
                "+447900123456", name="GB", did="442071234567", provider_id=trunk_id
            )
        )
    assert sandbox.counted("POST /api/inbound_rules") == 1
    assert await acme.inbound_rules.find_by_did("442071234567") == []


async def test_a_hanging_pbx_times_out_as_unavailable(sandbox: Sandbox) -> None:
    async with sandbox.client(ACME, timeout=0.3, retry=RetryPolicy(attempts=1)) as client:
        await client.login()
        _faults(sandbox, hang_count=1)
        with pytest.raises(Unavailable) as hung:
            await client.users.list()
        assert hung.value.code == "TIMEOUT"
        assert len(await client.users.list()) == 30


async def test_a_destroy_whose_answer_was_lost_counts_as_done(
    sandbox: Sandbox, trunk_id: str, acme: PortsipClient
) -> None:
    await acme.providers.add_did(trunk_id, "442071234567")
    rule_id = await acme.inbound_rules.create(
        InboundRuleInput.forwarding("101", name="GB", did="442071234567", provider_id=trunk_id)
    )
    async with sandbox.client(ACME, transport=_LosesFirstDestroyAnswer()) as client:
        await client.inbound_rules.destroy(rule_id)
    assert sandbox.routing()["inbound_rules"] == []


class _LosesFirstDestroyAnswer(httpx.AsyncHTTPTransport):
    """Delivers the first destroy to the PBX but loses its answer, like a dropped connection."""

    lost = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.url.path.endswith("/destroy") and not self.lost:
            self.lost = True
            await response.aclose()
            raise httpx.ReadError("connection reset")
        return response


async def test_the_rate_limit_answers_429_which_is_unavailable() -> None:
    app = create_app(SandboxConfig(rate_limit_per_minute=2))
    with serve_in_thread(app) as server:
        retry = RetryPolicy(attempts=1)
        async with PortsipClient(f"{server.url}/api", *ACME[1:], ACME[0], retry=retry) as client:
            await client.users.list()
            await client.users.list()
            with pytest.raises(Unavailable) as limited:
                await client.users.list()
    assert (limited.value.status, limited.value.code) == (429, "TOO_MANY_REQUESTS")
