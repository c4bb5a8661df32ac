"""Every client method against the sandbox: what it returns and what the PBX ends up holding."""

from __future__ import annotations

import pytest

from velo_portsip import (
    ExtensionKind,
    ForwardAction,
    ForwardRule,
    InboundRuleInput,
    NotFound,
    OutboundCallerId,
    OutboundRoute,
    OutboundRuleInput,
    PortsipClient,
)


async def test_lists_the_tenants_own_trunk_with_an_empty_pool(acme: PortsipClient) -> None:
    [trunk] = await acme.providers.list()
    assert (trunk.name, trunk.shared, trunk.did_numbers) == ("DIDWW", False, "")
    assert await acme.providers.get(trunk.id) == trunk


async def test_pool_edits_keep_the_rest_of_the_pool(acme: PortsipClient, trunk_id: str) -> None:
    await acme.providers.set_did_numbers(trunk_id, "3000;12000-18000")
    assert await acme.providers.remove_did(trunk_id, "15000") == "3000;12000-14999;15001-18000"
    assert await acme.providers.add_did(trunk_id, "15000") == "3000;12000-18000"
    assert (await acme.providers.get(trunk_id)).did_numbers == "3000;12000-18000"


async def test_inbound_rule_lifecycle(acme: PortsipClient, trunk_id: str) -> None:
    await acme.providers.add_did(trunk_id, "442071234567")
    fields = InboundRuleInput.forwarding(
        "700", name="Reception", did="442071234567", provider_id=trunk_id
    )
    rule_id = await acme.inbound_rules.create(fields)
    rule = await acme.inbound_rules.get(rule_id)
    assert (rule.name, rule.did_numbers, rule.destination) == ("Reception", "442071234567", "700")
    await acme.inbound_rules.update(
        rule_id,
        InboundRuleInput(
            non_office_hours_forward_rule=ForwardRule(action=ForwardAction.FORWARD_TO_VOICEMAIL)
        ),
    )
    [listed] = await acme.inbound_rules.list()
    assert listed.destination == "700"
    assert listed.non_office_hours_forward_rule == ForwardRule(action="FORWARD_TO_VOICEMAIL")
    assert [r.id for r in await acme.inbound_rules.find_by_did("442071234567")] == [rule_id]
    await acme.inbound_rules.destroy(rule_id)
    with pytest.raises(NotFound):
        await acme.inbound_rules.get(rule_id)


async def test_outbound_rule_lifecycle(acme: PortsipClient, trunk_id: str) -> None:
    await acme.providers.add_did(trunk_id, "33123456789")
    route = OutboundRoute(provider_id=trunk_id, outbound_caller_id="33123456789", prepend="00")
    fields = OutboundRuleInput(
        name="FR presence", number_prefix="33", number_mask="101-110", routes=[route]
    )
    rule_id = await acme.outbound_rules.create(fields)
    found = await acme.outbound_rules.find_by_name("FR presence")
    assert found is not None and found.id == rule_id and found.routes == [route]
    assert found.priority == 1000
    await acme.outbound_rules.update(rule_id, OutboundRuleInput(priority=5, routes=[]))
    assert (await acme.outbound_rules.get(rule_id)).routes == []
    assert [r.priority for r in await acme.outbound_rules.list()] == [5]
    await acme.outbound_rules.destroy(rule_id)
    assert await acme.outbound_rules.find_by_name("FR presence") is None


async def test_lists_the_seeded_users_with_details(acme: PortsipClient) -> None:
    users = await acme.users.list()
    assert [u.extension_number for u in users] == [str(n) for n in range(101, 131)]
    alice = await acme.users.get(users[0].id)
    assert (alice.display_name, alice.outbound_caller_ids) == ("Alice Johnson", [])


async def test_paging_walks_skip_and_top(
    acme: PortsipClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("velo_portsip.transport.PAGE_SIZE", 7)
    assert len(await acme.users.list()) == 30


async def test_caller_id_read_modify_write(acme: PortsipClient, trunk_id: str) -> None:
    await acme.providers.set_did_numbers(trunk_id, "442071234567;33123456789")
    user = await acme.users.find_by_extension("105")
    assert user is not None
    gb = OutboundCallerId(provider_id=trunk_id, caller_id="442071234567", preferred=True)
    fr = OutboundCallerId(provider_id=trunk_id, caller_id="33123456789", description="France")
    await acme.users.add_caller_id(user.id, gb)
    await acme.users.add_caller_id(user.id, fr)
    await acme.users.set_preferred_caller_id(user.id, "33123456789")
    stored = (await acme.users.get(user.id)).outbound_caller_ids
    assert [(c.caller_id, c.preferred) for c in stored] == [
        ("442071234567", False),
        ("33123456789", True),
    ]
    await acme.users.remove_caller_id(user.id, "442071234567")
    assert [c.caller_id for c in (await acme.users.get(user.id)).outbound_caller_ids] == [
        "33123456789"
    ]


async def test_extension_lookup_tells_what_a_number_is(acme: PortsipClient) -> None:
    kinds = {n: await acme.directory.extension(n) for n in ("101", "801", "700", "999")}
    assert kinds["101"] is not None and kinds["101"].type == ExtensionKind.EXTENSION
    assert kinds["801"] is not None and kinds["801"].name == "Support"
    assert kinds["700"] is not None and kinds["700"].type == ExtensionKind.RING_GROUP
    assert kinds["999"] is None


async def test_lists_call_queues_and_ring_groups(acme: PortsipClient) -> None:
    queues = {q.extension_number: q.name for q in await acme.directory.call_queues()}
    groups = {g.extension_number: g.name for g in await acme.directory.ring_groups()}
    assert queues == {"800": "Sales", "801": "Support", "802": "Billing"}
    assert groups == {"700": "Reception", "701": "Management", "702": "After Hours"}


@pytest.mark.parametrize("number", ["12", "+", "44 7900 123456", "sip:bob@example.com"])
def test_an_external_forward_must_be_a_phone_number(number: str) -> None:
    with pytest.raises(ValueError, match="not a phone number"):
        InboundRuleInput.forwarding_external(number)


def test_only_a_forward_to_extensions_is_checked_before_sending() -> None:
    assert InboundRuleInput.forwarding("101").targets_extensions
    external = InboundRuleInput.forwarding_external("+447900123456")
    assert not external.targets_extensions and external.forward_numbers() == {"+447900123456"}
    assert "targets_extensions" not in external.model_dump()
