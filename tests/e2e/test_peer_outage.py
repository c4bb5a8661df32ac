"""A peer being down delays an outcome, never drops it (issue 12, defect 1).

Assignment used to ask sip-routing about the target while it handled the command; with
sip-routing down longer than the handler's few retries (~8 s, less than a restart) the accepted
command went to the DLQ and the number kept its old assignment, silently.
"""

from __future__ import annotations

from typing import Any

import pytest

from velo_contracts.topics import ASSIGNMENT_COMMANDS
from velo_devinfra.components import answers
from velo_devinfra.process import ManagedProcess
from velotest import eventually, read_all

from .conftest import RunningSystem
from .flows import SLOW, active_number

pytestmark = pytest.mark.infra
RESTARTED = 2 * SLOW  # a restarted service imports, joins its consumer groups, then converges


def _process(running: RunningSystem, name: str) -> ManagedProcess:
    system = running.system
    return next(
        p for c, p in zip(system.components, system.processes, strict=True) if c.name == name
    )


async def test_an_assignment_accepted_while_sip_routing_is_down_is_applied_then_routed(
    running: RunningSystem,
) -> None:
    sip_routing = _process(running, "sip-routing")
    async with running.api() as api:
        e164 = await active_number(api)
        dial = e164.removeprefix("+")
        sip_routing.kill()
        try:
            put = await api.put(f"/v1/numbers/{e164}/assignment", json={"outbound_agent": "103"})
            assert put.status_code == 202  # the gateway's own directory check fails open
            command_id = put.json()["id"]

            async def change() -> dict[str, Any] | None:
                row = (await api.get(f"/v1/numbers/{e164}")).json()
                mine = [c for c in row["changes"] if c["command_id"] == command_id]
                return mine[0] if mine and mine[0]["outcome"] else None

            applied = await eventually(change, timeout=SLOW)
            assert not sip_routing.alive()  # decided while sip-routing was still down
        finally:
            sip_routing.start()
        assert (applied["outcome"], applied["routing"]) == ("applied", "pending")
        assert (await api.get(f"/v1/numbers/{e164}")).json()["outbound_agent"] == "103"

        await eventually(lambda: answers(f"{running.url('sip-routing')}/ready"), timeout=RESTARTED)

        def routed() -> bool:
            caller_ids = running.routing()["caller_ids"].get("103", [])
            return any(c["caller_id"] == dial for c in caller_ids)

        await eventually(routed, timeout=RESTARTED)
        await eventually(lambda: _routing_configured(api, e164, command_id), timeout=RESTARTED)
    parked = await read_all(running.system.infra.endpoints.kafka_bootstrap, ASSIGNMENT_COMMANDS.dlq)
    assert not [r for r in parked if command_id.encode() in (r.value or b"")]


async def _routing_configured(api: Any, e164: str, command_id: str) -> bool:
    row = (await api.get(f"/v1/numbers/{e164}")).json()
    return any(
        c["command_id"] == command_id and c["routing"] == "configured" for c in row["changes"]
    )
