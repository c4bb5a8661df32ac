"""Acceptance of issue 6 on real Kafka, the local database and the PortSIP sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from velo_contracts import AssignNumber, NumberAssigned, NumberReleased, ReassignNumber
from velo_contracts.envelope import utc_now
from velo_contracts.topics import ASSIGNMENT_EVENTS, ORDERING_EVENTS
from velo_portsip import OutboundCallerId
from velotest import eventually

from .conftest import ADMIN, DOMAIN, Stack

pytestmark = pytest.mark.infra
DE, DID = "+4930111222", "4930111222"


async def test_an_approved_number_becomes_active_in_the_pool_with_an_inbound_rule(
    stack: Stack,
) -> None:
    await stack.approve(DE)

    assert stack.dump()["pools"]["DIDWW"]["did_numbers"] == DID
    assert stack.inbound() == [(DID, "800", "CALL_QUEUE")]
    page = (await stack.numbers.get(f"/v1/tenants/{stack.tenant}/numbers?status=active")).json()
    [row] = page["items"]
    assert (row["number"], row["country"], row["monthly_price"]) == (DE, "DE", "2.5")
    routed = await stack.events("velo.routing.events.v1")
    assert [e["type"] for e in routed] == ["RoutingConfigured"]


async def test_a_number_rings_a_queue_then_an_agent_and_shows_as_an_agents_caller_id(
    stack: Stack,
) -> None:
    await stack.approve(DE)

    await stack.command(
        AssignNumber(
            tenant_id=stack.tenant,
            actor=ADMIN,
            number=DE,
            inbound_target={"type": "queue", "id": "801"},
        )
    )
    await eventually(lambda: stack.inbound() == [(DID, "801", "CALL_QUEUE")])
    await stack.command(
        AssignNumber(
            tenant_id=stack.tenant,
            actor=ADMIN,
            number=DE,
            inbound_target={"type": "agent", "id": "102"},
        )
    )
    await eventually(lambda: stack.inbound() == [(DID, "102", "EXTENSION")])
    await stack.command(
        AssignNumber(tenant_id=stack.tenant, actor=ADMIN, number=DE, outbound_agent="101")
    )
    await eventually(lambda: stack.dump()["caller_ids"].get("101"))

    [caller_id] = stack.dump()["caller_ids"]["101"]
    assert (caller_id["caller_id"], caller_id["preferred"]) == (DID, True)
    assert stack.inbound() == [(DID, "102", "EXTENSION")]
    row = (await stack.numbers.get(f"/v1/tenants/{stack.tenant}/numbers/{DID}")).json()
    assert (row["outbound_agent"], row["inbound_target"]) == ("101", {"type": "agent", "id": "102"})
    assert [h["event"] for h in row["history"]].count("AssignNumber") == 3


async def test_an_agent_with_german_and_british_numbers_calls_each_country_with_its_own(
    stack: Stack,
) -> None:
    gb = "+442071234567"
    await stack.approve(DE)
    await stack.approve(gb, "GB", "44")
    for number in (DE, gb):
        await stack.command(
            AssignNumber(tenant_id=stack.tenant, actor=ADMIN, number=number, outbound_agent="103")
        )

    def presence() -> dict[str, str]:
        rules = stack.dump()["outbound_rules"]
        return {
            r["number_prefix"]: r["routes"][0]["outbound_caller_id"]
            for r in rules
            if r["number_mask"] == "103"
        }

    await eventually(lambda: presence() == {"49": DID, "44": "442071234567"})
    assert {c["caller_id"] for c in stack.dump()["caller_ids"]["103"]} == {DID, "442071234567"}


async def test_reassigning_moves_the_number_from_agent_a_to_agent_b(stack: Stack) -> None:
    await stack.approve(DE)
    await stack.command(
        AssignNumber(tenant_id=stack.tenant, actor=ADMIN, number=DE, outbound_agent="104")
    )
    await eventually(lambda: "104" in stack.dump()["caller_ids"])

    await stack.command(
        ReassignNumber(
            tenant_id=stack.tenant, actor=ADMIN, number=DE, from_agent="104", to_agent="105"
        )
    )
    await eventually(lambda: set(stack.dump()["caller_ids"]) == {"105"})

    events = await stack.events("velo.assignment.events.v1")
    reassigned = {e["message_id"]: e for e in events if e["type"] == "NumberReassigned"}
    [moved] = reassigned.values()  # delivery is at least once: one event, maybe sent twice
    assert (moved["from_agent"], moved["to_agent"]) == ("104", "105")


async def test_releasing_leaves_portsip_with_nothing_of_the_number(stack: Stack) -> None:
    await stack.approve(DE)
    await stack.command(
        AssignNumber(tenant_id=stack.tenant, actor=ADMIN, number=DE, outbound_agent="106")
    )
    await eventually(lambda: "106" in stack.dump()["caller_ids"])

    await stack.send(
        NumberReleased(
            tenant_id=stack.tenant,
            actor=ADMIN,
            number=DE,
            didww_did_id=f"did-{DE}",
            billing_stopped_at=utc_now(),
        ),
        ORDERING_EVENTS,
    )

    await eventually(lambda: stack.dump()["pools"]["DIDWW"]["did_numbers"] == "")
    await eventually(lambda: stack.status_is(DE, "released"))
    dump = stack.dump()
    assert (dump["inbound_rules"], dump["caller_ids"], dump["outbound_rules"]) == ([], {}, [])
    types = [e["type"] for e in await stack.events("velo.routing.events.v1")]
    assert types[-1] == "RoutingRemoved"


async def test_an_inbound_rule_deleted_by_hand_is_put_back_without_a_command(
    stack: Stack,
) -> None:
    await stack.approve(DE)
    [rule] = stack.dump()["inbound_rules"]

    stack.admin("POST", f"/tenants/{DOMAIN}/inbound_rules/{rule['id']}/destroy")
    assert stack.inbound() == []

    await eventually(lambda: stack.inbound() == [(DID, "800", "CALL_QUEUE")])


async def test_wrong_assignments_are_rejected_with_a_reason_and_portsip_is_untouched(
    stack: Stack,
) -> None:
    await stack.approve(DE)
    gone = "+4930555666"
    await stack.approve(gone)
    await stack.send(
        NumberReleased(
            tenant_id=stack.tenant,
            actor=ADMIN,
            number=gone,
            didww_did_id=f"did-{gone}",
            billing_stopped_at=utc_now(),
        ),
        ORDERING_EVENTS,
    )
    await eventually(lambda: stack.status_is(gone, "released"))
    await eventually(lambda: gone.removeprefix("+") not in str(stack.dump()))
    before = stack.dump()

    commands = [
        AssignNumber(tenant_id=stack.tenant, actor=ADMIN, number=DE, outbound_agent="999"),
        AssignNumber(tenant_id=stack.other_tenant, actor=ADMIN, number=DE, outbound_agent="101"),
        AssignNumber(tenant_id=stack.tenant, actor=ADMIN, number=gone, outbound_agent="101"),
    ]
    for command in commands:
        await stack.command(command)

    async def reasons() -> list[str]:
        mine = await stack.events("velo.assignment.events.v1")
        theirs = await stack.events("velo.assignment.events.v1", stack.other_tenant)
        refused = {e["message_id"]: e for e in mine + theirs if e["type"] == "AssignmentRejected"}
        return [e["reason"] for e in refused.values()]  # delivery is at least once

    found = await eventually(lambda: _when(reasons(), 3))
    assert sorted(found) == ["number_not_active", "number_not_found", "target_not_found"]
    assert stack.dump() == before

    async def alerts() -> list[str]:
        mine = await stack.events("velo.assignment.events.v1")
        theirs = await stack.events("velo.assignment.events.v1", stack.other_tenant)
        raised = {e["message_id"]: e for e in mine + theirs if e["type"] == "AdminAlertRaised"}
        return [e["code"] for e in raised.values() if e["recipient"] == ADMIN.user_id]

    assert sorted(await eventually(lambda: _when(alerts(), 3))) == sorted(found)


async def _when(pending: Any, count: int) -> Any:
    found = await pending
    return found if len(found) == count else None


async def test_assignments_during_a_portsip_outage_complete_once_it_is_back(stack: Stack) -> None:
    gb, gb_did = "+442071234567", "442071234567"
    await stack.approve(DE)
    await stack.approve(gb, "GB", "44")

    stack.admin("POST", "/faults", json={"error_rate": 1.0, "error_status": 503})
    try:
        await stack.command(
            AssignNumber(
                tenant_id=stack.tenant,
                actor=ADMIN,
                number=DE,
                outbound_agent="107",
                inbound_target={"type": "queue", "id": "802"},
            )
        )
        await stack.command(
            AssignNumber(tenant_id=stack.tenant, actor=ADMIN, number=gb, outbound_agent="107")
        )

        async def alerted() -> bool:
            types = {e["type"] for e in await stack.events("velo.routing.events.v1")}
            return {"RoutingFailed", "AdminAlertRaised"} <= types

        await eventually(alerted, timeout=30)
        assert "107" not in stack.dump()["caller_ids"]
    finally:
        stack.admin("DELETE", "/faults")

    wanted = [(gb_did, "800", "CALL_QUEUE"), (DID, "802", "CALL_QUEUE")]
    await eventually(lambda: stack.inbound() == wanted, timeout=30)
    await eventually(
        lambda: {c["caller_id"] for c in stack.dump()["caller_ids"].get("107", [])} == {DID, gb_did}
    )
    events = await stack.events("velo.assignment.events.v1")
    assigned = {e["message_id"] for e in events if e["type"] == "NumberAssigned"}
    assert len(assigned) == 2  # two commands, two events (each maybe delivered twice)
    assert len(stack.dump()["inbound_rules"]) == 2


async def test_a_target_portsip_refuses_fails_that_number_only_and_says_so(stack: Stack) -> None:
    # Assignment lets a target through when the directory cannot be read (PortSIP away); if
    # PortSIP then turns the rule down, that number fails visibly and nobody else waits on it.
    gb, gb_did = "+442071234567", "442071234567"
    await stack.approve(DE)
    await stack.approve(gb, "GB", "44")
    unchecked = NumberAssigned(
        tenant_id=stack.tenant,
        actor=ADMIN,
        number=DE,
        inbound_target={"type": "queue", "id": "899"},  # no such queue in the PBX
    )
    await stack.send(unchecked, ASSIGNMENT_EVENTS)
    await stack.command(
        AssignNumber(tenant_id=stack.tenant, actor=ADMIN, number=gb, outbound_agent="107")
    )

    def gb_routed() -> bool:
        return gb_did in {c["caller_id"] for c in stack.dump()["caller_ids"].get("107", [])}

    await eventually(gb_routed, timeout=30)

    async def refused() -> dict[str, Any] | None:
        events = await stack.events("velo.routing.events.v1")
        failed = [e for e in events if e["type"] == "RoutingFailed" and e["number"] == DE]
        return failed[0] if failed else None

    failure = await eventually(refused, timeout=30)
    assert "refused" in failure["detail"] and "899" in failure["detail"]

    async def alerted() -> bool:  # published right after the failure, maybe not yet
        events = await stack.events("velo.routing.events.v1")
        alerts = [e for e in events if e["type"] == "AdminAlertRaised" and e["number"] == DE]
        return any("not held up" in a["detail"] for a in alerts)

    await eventually(alerted, timeout=30)
    assert set(stack.dump()["pools"]["DIDWW"]["did_numbers"].split(";")) == {DID, gb_did}


async def test_a_released_number_still_used_in_portsip_holds_up_nobody_and_says_why(
    stack: Stack,
) -> None:
    # A caller ID someone set by hand in PortSIP (VeloConnect did not make it) still uses a number
    # being released: PortSIP keeps a used number on the trunk. That number says so; the tenant's
    # other changes go on, and once the hand-made use is gone the number leaves the trunk.
    gb, gb_did = "+442071234567", "442071234567"
    await stack.approve(DE)
    await stack.approve(gb, "GB", "44")
    async with stack.portsip() as pbx:
        trunk = await pbx.providers.find_by_name("DIDWW")
        user = await pbx.users.find_by_extension("108")
        assert trunk is not None and user is not None
        by_hand = OutboundCallerId(provider_id=trunk.id, caller_id=DID)
        await pbx.users.add_caller_id(user.id, by_hand)
        released = NumberReleased(
            tenant_id=stack.tenant,
            actor=ADMIN,
            number=DE,
            didww_did_id=f"did-{DE}",
            billing_stopped_at=utc_now(),
        )
        await stack.send(released, ORDERING_EVENTS)
        await stack.command(
            AssignNumber(tenant_id=stack.tenant, actor=ADMIN, number=gb, outbound_agent="107")
        )

        async def gb_confirmed() -> bool:  # its approval, then its assignment: both confirmed
            events = await stack.events("velo.routing.events.v1")
            mine = [e for e in events if e["type"] == "RoutingConfigured" and e["number"] == gb]
            return len({e["message_id"] for e in mine}) >= 2

        await eventually(gb_confirmed, timeout=30)
        assert gb_did in {c["caller_id"] for c in stack.dump()["caller_ids"].get("107", [])}

        async def said(kind: str) -> dict[str, Any] | None:
            events = await stack.events("velo.routing.events.v1")
            found = [e for e in events if e["type"] == kind and e["number"] == DE]
            return found[0] if found else None

        failure = await eventually(lambda: said("RoutingFailed"), timeout=30)
        assert "caller ID of extension 108" in failure["detail"]
        alert = await eventually(lambda: said("AdminAlertRaised"), timeout=30)
        assert "did not make it" in alert["detail"]
        assert set(stack.dump()["pools"]["DIDWW"]["did_numbers"].split(";")) == {DID, gb_did}
        assert all(rule[0] != DID for rule in stack.inbound())  # its own rule is gone

        await pbx.users.remove_caller_id(user.id, DID)
        await eventually(lambda: stack.dump()["pools"]["DIDWW"]["did_numbers"] == gb_did)

    async def removed() -> bool:
        events = await stack.events("velo.routing.events.v1")
        return any(e["type"] == "RoutingRemoved" and e["number"] == DE for e in events)

    await eventually(removed, timeout=30)
