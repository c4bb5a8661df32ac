"""Carries out assignment commands: validate, decide, record with the events, or refuse."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, uuid5

from velo_assignment.domain import (
    Assignment,
    AssignmentCommand,
    Refusal,
    decide,
    targets_of,
)
from velo_assignment.store import Document, NumberBook, noting
from velo_assignment.targets import DirectoryUnavailable, TargetChecker
from velo_contracts import (
    AdminAlertRaised,
    AssignmentRejected,
    AssignNumber,
    ErrorCode,
    Event,
    InboundTarget,
    NumberAssigned,
    NumberReassigned,
    NumberUnassigned,
    ReassignNumber,
    UnassignNumber,
)

Outcome = list[Event]
"""Events to publish at once: a refusal about a number the tenant has no row for."""


async def handle(book: NumberBook, checker: TargetChecker, command: AssignmentCommand) -> Outcome:
    """Handles a command once: load, decide, save the outcome (with its events) on the row."""
    if await book.was_handled(command.tenant_id, command.command_id):
        return []
    row = await book.current(command.tenant_id, command.number)
    if row is not None and command.message_id in row.get("seen", []):
        return []
    decision = await _decision(checker, command, row)
    if isinstance(decision, Refusal):
        return await _refuse(book, command, row, decision)
    assert row is not None
    if decision is None:
        await book.change(row["_id"], command, _noted(command, "unchanged"))
        return []
    event = _event(command, assignment_of(row), decision)
    applied = _noted(command, "applied", routing="pending")
    change = lambda r: applied(r) | _columns(decision)  # noqa: E731 - one line, named for reading
    await book.change(row["_id"], command, change, events=[event])
    return []


async def _decision(
    checker: TargetChecker, command: AssignmentCommand, row: Document | None
) -> Assignment | Refusal | None:
    if row is None:
        return Refusal(ErrorCode.NUMBER_NOT_FOUND, f"{command.number} is not one of your numbers")
    if row.get("status") != "active":
        status = row.get("status")
        return Refusal(ErrorCode.NUMBER_NOT_ACTIVE, f"{command.number} is {status}, not active")
    decision = decide(command, assignment_of(row))
    if not isinstance(decision, Assignment):
        return decision
    for extension, wanted in targets_of(command):
        try:
            kind = await checker.kind_of(command.tenant_id, extension)
        except DirectoryUnavailable:
            continue  # the gateway checked it; PortSIP's answer will show on the number
        if kind != wanted:
            found = "does not exist" if kind is None else f"is a {kind}, not a {wanted}"
            return Refusal(ErrorCode.TARGET_NOT_FOUND, f"extension {extension} {found}")
    return decision


async def _refuse(
    book: NumberBook, command: AssignmentCommand, row: Document | None, refusal: Refusal
) -> Outcome:
    """Records a refusal on the number with its event and the admin's alert (or returns them).

    The command is remembered as handled only after its outcome is stored (or, with no row to
    store it on, published — see `remember`): a crash in between repeats the refusal under the
    same message ids, never loses it.
    """
    rejection = _refusal(command, refusal)
    events: list[Event] = [rejection, _alert(command, refusal)]
    if row is None:
        return events
    noted = _noted(command, "refused", reason=refusal.detail)
    await book.change(row["_id"], rejection, noted, events=events)
    await book.handled(command.tenant_id, command.command_id, refusal.reason.value)
    return []


async def remember(book: NumberBook, command: AssignmentCommand, published: Outcome) -> None:
    """Remembers a refused command whose events were published (it had no row)."""
    reasons = [e.reason.value for e in published if isinstance(e, AssignmentRejected)]
    await book.handled(command.tenant_id, command.command_id, reasons[0] if reasons else "refused")


def _noted(command: AssignmentCommand, outcome: str, **more: str) -> Any:
    """Returns a change that notes the command's outcome among the row's recent changes."""
    change = {
        "command_id": command.command_id,
        "kind": KINDS[type(command)],
        "at": command.occurred_at,
        "by": command.actor.user_id,
        "outcome": outcome,
        **more,
    }
    return lambda row: {"changes": noting(row, change)}


KINDS = {AssignNumber: "assign", ReassignNumber: "reassign", UnassignNumber: "unassign"}


def _alert(command: AssignmentCommand, refusal: Refusal) -> AdminAlertRaised:
    return AdminAlertRaised.to_sender(
        command,
        refusal.reason,
        message_id=str(uuid5(NAMESPACE_URL, f"alert:{command.command_id}")),
        title=f"{command.number}: {KINDS[type(command)]} was refused",
        detail=refusal.detail,
        number=command.number,
    )


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


def _refusal(command: AssignmentCommand, refusal: Refusal) -> AssignmentRejected:
    return AssignmentRejected.caused_by(
        command,
        message_id=str(uuid5(NAMESPACE_URL, f"rejected:{command.command_id}")),
        command_id=command.command_id,
        number=command.number,
        reason=refusal.reason,
        detail=refusal.detail,
    )
