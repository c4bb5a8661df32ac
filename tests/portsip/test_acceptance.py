"""Acceptance: a tenant admin routes a DIDWW number in PortSIP end to end, then removes it all."""

from __future__ import annotations

from velo_portsip import InboundRuleInput, OutboundCallerId, OutboundRoute, OutboundRuleInput

from .conftest import ACME, Sandbox

GB_NUMBER = "442071234567"
OTHER_NUMBER = "12025550100"


async def test_number_is_pooled_routed_presented_and_removed(sandbox: Sandbox) -> None:
    async with sandbox.client(ACME) as pbx:
        await pbx.login()
        trunk = await pbx.providers.find_by_name("DIDWW")
        assert trunk is not None
        await pbx.providers.set_did_numbers(trunk.id, OTHER_NUMBER)

        await pbx.providers.add_did(trunk.id, GB_NUMBER)
        assert sandbox.routing()["pools"]["DIDWW"]["did_numbers"] == f"{OTHER_NUMBER};{GB_NUMBER}"

        queue = await pbx.directory.extension("800")
        assert queue is not None and queue.type == "CALL_QUEUE"
        rule_id = await pbx.inbound_rules.create(
            InboundRuleInput.forwarding(
                "800", name=f"DID {GB_NUMBER}", did=GB_NUMBER, provider_id=trunk.id
            )
        )
        assert _inbound(sandbox) == [(GB_NUMBER, "800", "CALL_QUEUE")]

        agent = await pbx.users.find_by_extension("101")
        assert agent is not None
        await pbx.inbound_rules.update(rule_id, InboundRuleInput.forwarding("101"))
        assert _inbound(sandbox) == [(GB_NUMBER, "101", "EXTENSION")]

        caller_id = OutboundCallerId(provider_id=trunk.id, caller_id=GB_NUMBER, preferred=True)
        await pbx.users.add_caller_id(agent.id, caller_id)
        assert sandbox.routing()["caller_ids"] == {"101": [caller_id.model_dump()]}

        route = OutboundRoute(provider_id=trunk.id, outbound_caller_id=GB_NUMBER)
        outbound_id = await pbx.outbound_rules.create(
            OutboundRuleInput(
                name="Local presence GB for 101",
                number_prefix="44",
                number_mask="101",
                priority=100,
                routes=[route],
            )
        )
        [rule] = sandbox.routing()["outbound_rules"]
        assert (rule["number_prefix"], rule["number_mask"], rule["priority"]) == ("44", "101", 100)
        assert rule["routes"] == [route.model_dump()]

        await pbx.outbound_rules.destroy(outbound_id)
        await pbx.users.remove_caller_id(agent.id, GB_NUMBER)
        await pbx.inbound_rules.destroy(rule_id)
        await pbx.providers.remove_did(trunk.id, GB_NUMBER)

    after = sandbox.routing()
    assert after["pools"]["DIDWW"]["did_numbers"] == OTHER_NUMBER
    assert (after["inbound_rules"], after["caller_ids"], after["outbound_rules"]) == ([], {}, [])


def _inbound(sandbox: Sandbox) -> list[tuple[str, str, str]]:
    rules = sandbox.routing()["inbound_rules"]
    return [(r["did_numbers"], r["destination"], r["destination_type"]) for r in rules]
