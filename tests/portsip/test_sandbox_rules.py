"""The PBX's own rules: DID pools, double routing, caller IDs, tenant isolation, drift by hand."""

from __future__ import annotations

import pytest

from velo_portsip import (
    Forbidden,
    InboundRuleInput,
    InvalidPool,
    NotFound,
    OutboundCallerId,
    OutboundRoute,
    OutboundRuleInput,
    PortsipClient,
    ProviderInput,
    UnknownExtension,
    ValidationFailed,
)

from .conftest import Sandbox

GB = "442071234567"


def _rule(trunk_id: str, did: str = GB, to: str = "101", **extra: str) -> InboundRuleInput:
    rule = InboundRuleInput.forwarding(to, name=f"DID {did}", did=did, provider_id=trunk_id)
    return rule.model_copy(update=extra)


@pytest.mark.parametrize("did", ["+442071234567", "0442071234567", "00442071234567", "44x"])
async def test_a_did_must_not_start_with_plus_or_zero(
    acme: PortsipClient, trunk_id: str, did: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await acme.inbound_rules.create(_rule(trunk_id, did))
    assert refused.value.code == "VALIDATE_FAILED"


async def test_an_inbound_did_must_lie_inside_the_pool(acme: PortsipClient, trunk_id: str) -> None:
    await acme.providers.set_did_numbers(trunk_id, "442071234500-442071234599")
    assert await acme.inbound_rules.create(_rule(trunk_id, "442071234510-442071234519"))
    with pytest.raises(ValidationFailed):
        await acme.inbound_rules.create(_rule(trunk_id, "442071234590-442071234600"))


async def test_a_did_is_routed_once_per_cid_mask(acme: PortsipClient, trunk_id: str) -> None:
    await acme.providers.add_did(trunk_id, GB)
    await acme.inbound_rules.create(_rule(trunk_id))
    with pytest.raises(ValidationFailed, match="already routed"):
        await acme.inbound_rules.create(_rule(trunk_id, to="800"))
    assert await acme.inbound_rules.create(_rule(trunk_id, to="800", cid_number_mask="0044*****"))


async def test_forwarding_to_an_extension_checks_it_exists_before_sending(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.add_did(trunk_id, GB)
    with pytest.raises(UnknownExtension, match="999 is not an extension") as refused:
        await acme.inbound_rules.create(_rule(trunk_id, to="999"))
    assert refused.value.number == "999" and sandbox.routing()["inbound_rules"] == []


@pytest.mark.parametrize("number", ["+447900123456", "447900123456", "999"])
async def test_a_rule_may_forward_to_an_external_number(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str, number: str
) -> None:
    await acme.providers.add_did(trunk_id, GB)
    rule = InboundRuleInput.forwarding_external(number, name="GB", did=GB, provider_id=trunk_id)
    rule_id = await acme.inbound_rules.create(rule)
    assert (await acme.inbound_rules.get(rule_id)).destination == number
    [dumped] = sandbox.routing()["inbound_rules"]
    assert (dumped["destination"], dumped["destination_type"]) == (number, "EXTERNAL")


@pytest.mark.parametrize("number", ["", "12", "44 7900", "+", "sip:bob@example.com"])
async def test_the_pbx_refuses_a_forward_number_that_is_no_number(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str, number: str
) -> None:
    await acme.providers.add_did(trunk_id, GB)
    forward = {"action": "FORWARD_TO_NUMBER", "number": number}
    body = {"name": "GB", "did_numbers": GB, "provider_id": trunk_id}
    answer = sandbox.raw(
        "POST",
        "/api/inbound_rules",
        headers=await acme.tokens.header(),
        json={**body, "office_hours_forward_rule": forward},
    )
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert error["detail"] == {"field": "office_hours_forward_rule.number"}


async def test_pools_never_overlap_across_tenants(
    acme: PortsipClient, globex: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.set_did_numbers(trunk_id, "442071234500-442071234599")
    globex_trunk = await globex.providers.find_by_name("DIDWW")
    assert globex_trunk is not None
    with pytest.raises(ValidationFailed, match=r"acme\.pbx\.local"):
        await globex.providers.add_did(globex_trunk.id, "442071234567")
    with pytest.raises(InvalidPool):  # the client refuses before PortSIP would
        await globex.providers.set_did_numbers(globex_trunk.id, "+442071234567")


async def test_the_pbx_refuses_a_pool_starting_with_plus(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    headers = await acme.tokens.header()
    answer = sandbox.raw(
        "POST",
        f"/api/providers/{trunk_id}",
        headers=headers,
        json={"did_numbers": "3000;+442071234567"},
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "VALIDATE_FAILED"


async def test_caller_ids_must_come_from_a_pool(acme: PortsipClient, trunk_id: str) -> None:
    user = await acme.users.find_by_extension("102")
    assert user is not None
    with pytest.raises(ValidationFailed, match="not in the DID pool"):
        caller_id = OutboundCallerId(provider_id=trunk_id, caller_id=GB)
        await acme.users.add_caller_id(user.id, caller_id)
    route = OutboundRoute(provider_id=trunk_id, outbound_caller_id=GB)
    with pytest.raises(ValidationFailed):
        await acme.outbound_rules.create(OutboundRuleInput(name="GB", routes=[route]))


async def test_one_tenant_never_sees_anothers_objects(
    acme: PortsipClient, globex: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.add_did(trunk_id, GB)
    rule_id = await acme.inbound_rules.create(_rule(trunk_id))
    acme_user = (await acme.users.list())[0]
    with pytest.raises(NotFound):
        await globex.inbound_rules.get(rule_id)
    with pytest.raises(NotFound):
        await globex.providers.get(trunk_id)
    with pytest.raises(NotFound):
        await globex.users.get(acme_user.id)
    with pytest.raises(NotFound):
        await globex.inbound_rules.destroy(rule_id)
    assert await globex.inbound_rules.list() == []
    assert trunk_id not in {p.id for p in await globex.providers.list()}
    assert {u.id for u in await globex.users.list()}.isdisjoint({acme_user.id})


async def test_a_shared_trunk_gives_each_tenant_its_own_pool(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    tenant_id = sandbox.routing()["tenant"]["id"]
    async with sandbox.client(("", "sysadmin", "system-admin-pass")) as system:
        carrier = ProviderInput(name="Carrier", hostname="sip.carrier.example", concurrency=30)
        shared_id = await system.providers.create(carrier)
        await system.assignees.assign(shared_id, tenant_id, "3000;12000-18000", concurrency=10)
        pool = await system.assignees.add_did(shared_id, tenant_id, "3001")
        assert pool == "3000-3001;12000-18000"
        assert await system.assignees.remove_did(shared_id, tenant_id, "15000") == (
            "3000-3001;12000-14999;15001-18000"
        )
        assert [a.tenant_id for a in await system.assignees.list(shared_id)] == [tenant_id]
        shared = await acme.providers.get(shared_id)
        assert (shared.shared, shared.did_numbers) == (True, "3000-3001;12000-14999;15001-18000")
        rule_id = await acme.inbound_rules.create(_rule(shared_id, "12000"))
        with pytest.raises(Forbidden):
            await acme.providers.add_did(shared_id, "3002")
        with pytest.raises(Forbidden):
            await acme.assignees.get(shared_id, tenant_id)
        with pytest.raises(ValidationFailed, match="still used by inbound rule 'DID 12000'"):
            await system.assignees.unassign(shared_id, tenant_id)
        await acme.inbound_rules.destroy(rule_id)
        await system.assignees.unassign(shared_id, tenant_id)
        assert await system.assignees.get(shared_id, tenant_id) is None
    with pytest.raises(NotFound):
        await acme.providers.get(shared_id)


async def test_drift_by_hand_is_visible_to_the_client(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    await acme.providers.add_did(trunk_id, GB)
    first = await acme.inbound_rules.create(_rule(trunk_id))
    second = await acme.inbound_rules.create(_rule(trunk_id, cid_number_mask="1*"))
    base = "/tenants/acme.pbx.local/inbound_rules"
    changed = {"office_hours_forward_rule": {"action": "HANGUP"}}
    assert sandbox.admin("POST", f"{base}/{first}", json=changed).status_code == 200
    assert sandbox.admin("POST", f"{base}/{second}/destroy").status_code == 204
    assert (await acme.inbound_rules.get(first)).destination is None
    with pytest.raises(NotFound):
        await acme.inbound_rules.get(second)
