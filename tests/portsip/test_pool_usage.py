"""A DID pool never shrinks below what rules and caller IDs use: the PBX refuses, the client never
asks."""

from __future__ import annotations

import pytest

from velo_portsip import (
    InboundRuleInput,
    OutboundCallerId,
    OutboundRoute,
    OutboundRuleInput,
    PoolInUse,
    PortsipClient,
)

from .conftest import Sandbox

GB, FR = "442071234567", "33123456789"
POOL_UPDATE = "POST /api/providers/{id}"


async def _inbound(acme: PortsipClient, trunk_id: str, did: str = GB) -> str:
    rule = InboundRuleInput.forwarding("800", name=f"DID {did}", did=did, provider_id=trunk_id)
    return await acme.inbound_rules.create(rule)


async def test_the_pbx_refuses_to_drop_a_number_an_inbound_rule_uses(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.set_did_numbers(trunk_id, f"{FR};{GB}")
    await _inbound(acme, trunk_id)
    answer = await sandbox.call(acme, "POST", f"/providers/{trunk_id}", json={"did_numbers": FR})
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert error["code"] == "VALIDATE_FAILED" and error["detail"] == {"field": "did_numbers"}
    assert f"inbound rule 'DID {GB}' ({GB})" in error["message"]
    assert (await acme.providers.get(trunk_id)).did_numbers == f"{FR};{GB}"


async def test_the_pbx_refuses_to_drop_a_users_caller_id_or_an_outbound_route_s(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.set_did_numbers(trunk_id, f"{FR};{GB}")
    user = await acme.users.find_by_extension("105")
    assert user is not None
    await acme.users.add_caller_id(user.id, OutboundCallerId(provider_id=trunk_id, caller_id=GB))
    route = OutboundRoute(provider_id=trunk_id, outbound_caller_id=FR)
    await acme.outbound_rules.create(OutboundRuleInput(name="FR", routes=[route]))
    answer = await sandbox.call(acme, "POST", f"/providers/{trunk_id}", json={"did_numbers": ""})
    message = answer.json()["errors"][0]["message"]
    assert f"caller ID of extension 105 ({GB})" in message
    assert f"outbound rule 'FR' ({FR})" in message


async def test_the_client_raises_pool_in_use_without_sending_the_pool(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.set_did_numbers(trunk_id, f"{FR};{GB}")
    await _inbound(acme, trunk_id)
    sent = sandbox.counted(POOL_UPDATE)
    with pytest.raises(PoolInUse) as refused:
        await acme.providers.remove_did(trunk_id, GB)
    assert refused.value.usages == {GB: [f"inbound rule 'DID {GB}'"]}
    with pytest.raises(PoolInUse):
        await acme.providers.set_did_numbers(trunk_id, "")
    assert sandbox.counted(POOL_UPDATE) == sent
    assert await acme.providers.remove_did(trunk_id, FR) == GB  # an unused number goes


async def test_a_number_goes_once_nothing_uses_it(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.add_did(trunk_id, GB)
    rule_id = await _inbound(acme, trunk_id)
    user = await acme.users.find_by_extension("105")
    assert user is not None
    await acme.users.add_caller_id(user.id, OutboundCallerId(provider_id=trunk_id, caller_id=GB))
    await acme.inbound_rules.destroy(rule_id)
    await acme.users.remove_caller_id(user.id, GB)
    assert await acme.providers.remove_did(trunk_id, GB) == ""
    assert sandbox.routing()["pools"]["DIDWW"]["did_numbers"] == ""


async def test_growing_a_pool_reads_no_usages(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.add_did(trunk_id, GB)
    await acme.providers.set_did_numbers(trunk_id, f"{FR};{GB}")
    assert sandbox.counted("GET /api/users/{id}") == 0
