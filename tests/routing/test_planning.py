"""The desired-state diff: what sip-routing changes in PortSIP, decided without PortSIP."""

from __future__ import annotations

from datetime import UTC, datetime

from velo_portsip import InboundRuleInput, OutboundCallerId, User
from velo_portsip.models import InboundRule
from velo_sip_routing import domain as d
from velo_sip_routing.planner import plan
from velo_sip_routing.presence import presence_rules

DE, GB = "+4930111222", "+442071234567"
TRUNK = "trunk-1"


def _pbx(**fields: object) -> d.Pbx:
    return d.Pbx(provider_id=TRUNK, pool=str(fields.pop("pool", "")), **fields)  # type: ignore[arg-type]


def _at(minute: int) -> datetime:
    return datetime(2025, 1, 1, 12, minute, tzinfo=UTC)


def _rule(did: str, destination: str, rule_id: str = "r1") -> InboundRule:
    wanted = InboundRuleInput.forwarding(destination, name="x", did=did, provider_id=TRUNK)
    return InboundRule.model_validate(wanted.model_dump(exclude_none=True) | {"id": rule_id})


def test_a_new_number_joins_the_pool_before_its_rule_to_the_default_destination() -> None:
    steps = plan([d.Route(DE, present=True)], _pbx(pool="12025550100"), "800", 100)
    assert steps[0] == d.SetPool("4930111222;12025550100")
    [create] = steps[1:]
    assert isinstance(create, d.CreateInbound)
    assert (create.rule.did_numbers, create.rule.office_hours_forward_rule.number) == (  # type: ignore[union-attr]
        "4930111222",
        "800",
    )


def test_what_already_is_so_needs_no_change() -> None:
    pbx = _pbx(pool="4930111222", inbound=(_rule("4930111222", "101"),))
    assert plan([d.Route(DE, present=True, destination="101")], pbx, "800", 100) == []


def test_a_changed_or_duplicated_rule_is_put_back_and_the_duplicate_removed() -> None:
    pbx = _pbx(
        pool="4930111222", inbound=(_rule("4930111222", "999"), _rule("4930111222", "800", "r2"))
    )
    steps = plan([d.Route(DE, present=True)], pbx, "800", 100)
    assert [type(s) for s in steps] == [d.UpdateInbound, d.DeleteInbound]
    assert steps[1] == d.DeleteInbound("r2")


def test_a_released_number_loses_rule_caller_id_and_pool_entry_last() -> None:
    user = User(
        id="u1",
        name="a",
        extension_number="101",
        outbound_caller_ids=[
            OutboundCallerId(provider_id=TRUNK, caller_id="4930111222", preferred=True)
        ],
    )
    pbx = _pbx(pool="4930111222", inbound=(_rule("4930111222", "101"),), users={"101": user})
    steps = plan([d.Route(DE, present=False)], pbx, "800", 100)
    assert steps == [d.DeleteInbound("r1"), d.RemoveCallerId("u1", "4930111222"), d.SetPool("")]


def test_caller_ids_follow_the_agent_and_keep_numbers_not_ours() -> None:
    theirs = OutboundCallerId(provider_id=TRUNK, caller_id="15550001", preferred=True)
    b = User(id="u2", name="b", extension_number="102", outbound_caller_ids=[theirs])
    a = User(
        id="u1",
        name="a",
        extension_number="101",
        outbound_caller_ids=[
            OutboundCallerId(provider_id=TRUNK, caller_id="4930111222", preferred=True)
        ],
    )
    pbx = _pbx(pool="4930111222", inbound=(_rule("4930111222", "800"),), users={"101": a, "102": b})
    steps = plan([d.Route(DE, present=True, outbound_agent="102")], pbx, "800", 100)
    mine = OutboundCallerId(provider_id=TRUNK, caller_id="4930111222", preferred=True)
    assert steps == [d.RemoveCallerId("u1", "4930111222"), d.AddCallerId("u2", mine)]


def test_an_agent_with_numbers_in_two_countries_gets_one_rule_per_country() -> None:
    routes = [
        d.Route(DE, True, outbound_agent="101", country_prefix="49", assigned_at=_at(1)),
        d.Route(GB, True, outbound_agent="101", country_prefix="44", assigned_at=_at(2)),
        d.Route(
            "+4930999888",
            True,
            outbound_agent="101",
            country_prefix="49",
            preferred=False,
            assigned_at=_at(3),
        ),
    ]
    rules = presence_rules(routes, TRUNK, 100)
    chosen = {r.number_prefix: r.routes[0].outbound_caller_id for r in rules.values()}  # type: ignore[index]
    assert chosen == {"44": "442071234567", "49": "4930999888"}
    assert {r.number_mask for r in rules.values()} == {"101"}


def test_the_default_number_wins_its_country_and_one_country_needs_no_rule() -> None:
    routes = [
        d.Route(DE, True, outbound_agent="101", country_prefix="49", assigned_at=_at(5)),
        d.Route(
            "+4930999888",
            True,
            outbound_agent="101",
            country_prefix="49",
            preferred=False,
            assigned_at=_at(6),
        ),
    ]
    assert presence_rules(routes, TRUNK, 100) == {}
    routes.append(
        d.Route(
            GB, True, outbound_agent="101", country_prefix="44", preferred=False, assigned_at=_at(7)
        )
    )
    chosen = {
        r.number_prefix: r.routes[0].outbound_caller_id
        for r in presence_rules(routes, TRUNK, 100).values()
    }  # type: ignore[index]
    assert chosen["49"] == "4930111222"
