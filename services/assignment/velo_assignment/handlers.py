"""Carries out assignment commands: validate, decide, record with the events, or refuse."""

from __future__ import annotations

from uuid import NAMESPACE_URL, uuid5

from velo_assignment.domain import (
    Assignment,
    AssignmentCommand,
    Refusal,
    decide,
    targets_of,
)
from velo_assignment.store import Document, NumberBook
from velo_assignment.targets import TargetChecker
from velo_contracts import (
    AssignmentRejected,
    AssignNumber,
    ErrorCode,
    Event,
    InboundTarget,
    NumberAssigned,
    NumberReassigned,
    NumberUnassigned,
    ReassignNumber,
)

Outcome = AssignmentRejected | None


async def handle(book: NumberBook, checker: TargetChecker, command: AssignmentCommand) -> Outcome:
    """Handles a command once; returns a refusal to publish, or None (done or recorded)."""
    if await book.was_handled(command.tenant_id, command.command_id):
        return None
    row = await book.current(command.tenant_id, command.number)
    if row is not None and command.message_id in row.get("seen", []):
        return None
    decision = await _decision(checker, command, row)
    if decision is None:
        await book.handled(command.tenant_id, command.command_id, "already so")
        return None
    if isinstance(decision, Refusal):
        return _refusal(command, decision)  # remembered once published: see `refused`
    assert row is not None
    event = _event(command, assignment_of(row), decision)
    await book.change(row["_id"], command, lambda _: _columns(decision), events=[event])
    return None


async def _decision(
    checker: TargetChecker, command: AssignmentCommand, row: Document | None
) -> Assignment | Refusal | None:
    if row is None or row.get("status") == "released":
        return Refusal(ErrorCode.NUMBER_NOT_FOUND, f"{command.number} is not one of your numbers")
    if row.get("status") != "active":
        status = row.get("status")
        return Refusal(ErrorCode.NUMBER_NOT_ACTIVE, f"{command.number} is {status}, not active")
    decision = decide(command, assignment_of(row))
    if not isinstance(decision, Assignment):
        return decision
    for extension, wanted in targets_of(command):
        kind = await checker.kind_of(command.tenant_id, extension)
        if kind != wanted:
            found = "does not exist" if kind is None else f"is a {kind}, not a {wanted}"
            return Refusal(ErrorCode.TARGET_NOT_FOUND, f"extension {extension} {found}")
    return decision


def assignment_of(row: Document) -> Assignment:
    """Returns a row's current assignment."""
    target = row.get("inbound_target")
    return Assignment(
        outbound_agent=row.get("outbound_agent"),
        preferred=bool(row.get("preferred", True)),
        inbound_target=InboundTarget.model_validate(target) if target else None,
    )


def _columns(new: Assignment) -> Document:
    target = new.inbound_target.model_dump(mode="json") if new.inbound_target else None
    return {
        "outbound_agent": new.outbound_agent,
        "preferred": new.preferred,
        "inbound_target": target,
    }


def _event(command: AssignmentCommand, old: Assignment, new: Assignment) -> Event:
    number = command.number
    if isinstance(command, ReassignNumber):
        return NumberReassigned.caused_by(
            command,
            number=number,
            from_agent=command.from_agent,
            to_agent=command.to_agent,
            inbound_target=new.inbound_target,
        )
    if isinstance(command, AssignNumber):
        return NumberAssigned.caused_by(
            command,
            number=number,
            outbound_agent=new.outbound_agent,
            preferred=new.preferred,
            inbound_target=new.inbound_target,
        )
    return NumberUnassigned.caused_by(
        command,
        number=number,
        previous_agent=old.outbound_agent,
        previous_target=old.inbound_target,
    )


async def refused(book: NumberBook, rejection: AssignmentRejected) -> None:
    """Remembers a published refusal, so a redelivered command is not judged again."""
    await book.handled(rejection.tenant_id, rejection.command_id, rejection.reason.value)


def _refusal(command: AssignmentCommand, refusal: Refusal) -> AssignmentRejected:
    return AssignmentRejected.caused_by(
        command,
        message_id=str(uuid5(NAMESPACE_URL, f"rejected:{command.command_id}")),
        command_id=command.command_id,
        number=command.number,
        reason=refusal.reason,
        detail=refusal.detail,
    )
