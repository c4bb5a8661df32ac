"""Assignment decisions: what a command makes of a number's current assignment."""

from __future__ import annotations

from velo_assignment.domain import Assignment, Refusal, advance, decide, targets_of
from velo_contracts import (
    Actor,
    AssignNumber,
    ErrorCode,
    InboundTarget,
    ReassignNumber,
    Role,
    UnassignNumber,
)

ADMIN = Actor(user_id="admin-1", role=Role.ADMIN)
N = "+4930111222"
QUEUE = InboundTarget(type="queue", id="800")


def _assign(**fields: object) -> AssignNumber:
    return AssignNumber(tenant_id="t", actor=ADMIN, number=N, **fields)  # type: ignore[arg-type]


def test_assigning_keeps_what_the_command_does_not_name() -> None:
    current = Assignment(outbound_agent="101", inbound_target=QUEUE)
    new = decide(_assign(inbound_target={"type": "agent", "id": "102"}), current)
    assert new == Assignment("101", True, InboundTarget(type="agent", id="102"))


def test_assigning_what_already_is_so_is_nothing_to_do() -> None:
    assert decide(_assign(outbound_agent="101"), Assignment(outbound_agent="101")) is None
    assert decide(UnassignNumber(tenant_id="t", actor=ADMIN, number=N), Assignment()) is None


def test_reassigning_moves_the_agent_and_an_agent_ring_target_together() -> None:
    current = Assignment("101", True, InboundTarget(type="agent", id="101"))
    move = ReassignNumber(tenant_id="t", actor=ADMIN, number=N, from_agent="101", to_agent="102")
    assert decide(move, current) == Assignment("102", True, InboundTarget(type="agent", id="102"))
    assert targets_of(move) == [("102", "extension")]


def test_reassigning_from_an_agent_who_does_not_hold_it_is_refused() -> None:
    move = ReassignNumber(tenant_id="t", actor=ADMIN, number=N, from_agent="105", to_agent="102")
    refusal = decide(move, Assignment("101"))
    assert isinstance(refusal, Refusal) and refusal.reason == ErrorCode.AGENT_MISMATCH


def test_targets_are_checked_for_the_right_kind() -> None:
    command = _assign(outbound_agent="101", inbound_target={"type": "ring_group", "id": "700"})
    assert targets_of(command) == [("101", "extension"), ("700", "ring_group")]


def test_status_moves_forward_only_and_final_states_stay() -> None:
    assert advance("active", "provisioning") == "active"
    assert advance("provisioning", "active") == "active"
    assert advance("active", "released") == "released"
    assert advance("released", "active") == "released"
    assert advance(None, "requested") == "requested"
