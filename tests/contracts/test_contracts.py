"""The wire contracts: documented, compatible with the v1 snapshot, parseable from every topic."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from velo_contracts import ALL_TOPICS, Actor, AssignNumber, ErrorCode, RequestNumber, Role
from velo_contracts.compat import current_schemas, incompatibilities, load_snapshot
from velo_contracts.events import NumberApproved, NumberRequestRejected
from velo_contracts.topics import ORDERING_COMMANDS, ORDERING_EVENTS, message_models

ADMIN = Actor(user_id="u-1", role=Role.ADMIN)


def _undocumented(schema: dict[str, Any], where: str) -> list[str]:
    missing = []
    for name, prop in schema.get("properties", {}).items():
        if "description" not in prop:
            missing.append(f"{where}.{name}")
    for def_name, definition in schema.get("$defs", {}).items():
        missing += _undocumented(definition, f"{where}/{def_name}")
    return missing


def test_every_field_of_every_message_is_documented() -> None:
    missing = [m for name, s in current_schemas().items() for m in _undocumented(s, name)]
    assert missing == []


def test_current_schemas_are_compatible_with_the_v1_snapshot() -> None:
    assert incompatibilities(load_snapshot(), current_schemas()) == []


def test_snapshot_is_refreshed_after_additive_changes() -> None:
    assert load_snapshot() == current_schemas(), "run: make contracts-snapshot"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["NumberApproved"]["properties"].pop("amount"), "field removed"),
        (
            lambda s: s["NumberApproved"]["properties"].__setitem__(
                "didww_did_id", {"type": "integer", "description": "x"}
            ),
            "`type` changed",
        ),
        (
            lambda s: s["NumberApproved"]["required"].append("brand_new"),
            "new field is required",
        ),
        (lambda s: s.pop("NumberReleased"), "message type removed"),
        (
            lambda s: s["NumberRequestRejected"]["$defs"]["ErrorCode"]["enum"].remove(
                "kyc_required"
            ),
            "enum values removed",
        ),
    ],
)
def test_compatibility_check_flags_breaking_changes(change: Any, expected: str) -> None:
    old = current_schemas()
    new = copy.deepcopy(old)
    change(new)
    assert any(expected in problem for problem in incompatibilities(old, new))


def test_adding_an_optional_field_is_compatible() -> None:
    old = current_schemas()
    new = copy.deepcopy(old)
    new["NumberApproved"]["properties"]["note"] = {"type": "string", "description": "x"}
    assert incompatibilities(old, new) == []


def test_a_command_round_trips_through_its_topic_by_type() -> None:
    command = RequestNumber(
        tenant_id="acme",
        actor=ADMIN,
        request_id="req-1",
        pick={"kind": "next_available", "country": "DE", "number_type": "local", "area": "Berlin"},
    )
    parsed = ORDERING_COMMANDS.parse(command.model_dump_json())
    assert parsed == command
    assert isinstance(parsed, RequestNumber)


def test_an_event_from_another_topic_is_refused() -> None:
    event = NumberRequestRejected(
        tenant_id="acme",
        actor=ADMIN,
        request_id="req-1",
        reason=ErrorCode.KYC_REQUIRED,
        detail="Germany mobile numbers need a verified identity.",
    )
    assert ORDERING_EVENTS.parse(event.model_dump(mode="json")) == event
    with pytest.raises(ValidationError):
        ORDERING_COMMANDS.parse(event.model_dump_json())


def test_events_caused_by_a_command_keep_its_tenant_and_correlation() -> None:
    command = RequestNumber(
        tenant_id="acme",
        actor=ADMIN,
        request_id="req-1",
        pick={
            "kind": "specific",
            "country": "DE",
            "number_type": "local",
            "number": "+493012345678",
        },
    )
    event = NumberApproved.caused_by(
        command,
        request_id="req-1",
        number="+493012345678",
        didww_did_id="did-1",
        didww_order_id="ord-1",
        order_reference="ABC-123",
        amount="1.50",
        facts={"country": "DE", "number_type": "local", "setup_price": "0.5", "monthly_price": "1"},
    )
    assert (event.tenant_id, event.correlation_id) == (command.tenant_id, command.correlation_id)
    assert event.causation_id == command.message_id
    assert event.partition_key() == "+493012345678"


@pytest.mark.parametrize("number", ["493012345678", "+0301234", "+49 30 1234", "+1"])
def test_numbers_must_be_e164_with_plus(number: str) -> None:
    with pytest.raises(ValidationError):
        AssignNumber(tenant_id="acme", actor=ADMIN, number=number, outbound_agent="101")


def test_an_assignment_must_name_an_agent_or_a_target() -> None:
    with pytest.raises(ValidationError, match="outbound_agent, inbound_target or both"):
        AssignNumber(tenant_id="acme", actor=ADMIN, number="+493012345678")


def test_topics_are_versioned_owned_once_and_have_a_dlq() -> None:
    names = [topic.name for topic in ALL_TOPICS]
    assert len(names) == len(set(names))
    for topic in ALL_TOPICS:
        assert topic.name.endswith(".v1") and topic.name.startswith(
            f"velo.{topic.owner.split('-')[-1]}"
        )
        assert topic.dlq == topic.name + ".dlq"
    assert set(message_models()) >= {"RequestNumber", "NumberApproved", "AdminAlertRaised"}
