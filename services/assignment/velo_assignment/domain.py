"""Numbers' statuses and assignment decisions (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

from velo_contracts import (
    AssignNumber,
    ErrorCode,
    InboundTarget,
    ReassignNumber,
    TargetType,
    UnassignNumber,
)

AssignmentCommand = AssignNumber | ReassignNumber | UnassignNumber
PROGRESS = {"requested": 0, "ordering": 1, "registering": 2, "provisioning": 3, "active": 4}
"""`registering`: delivered and billed, waiting for DIDWW to approve its registration (KYC)."""
FINAL = {"released", "rejected", "failed"}
STATUSES = (*PROGRESS, *sorted(FINAL))


def advance(current: str | None, new: str) -> str:
    """Returns the status after new: forward only, and a final status stays."""
    if current is None:
        return new
    if current in FINAL:
        return current
    if new in FINAL or PROGRESS[new] > PROGRESS[current]:
        return new
    return current


@dataclass(frozen=True)
class Assignment:
    """Whose caller ID a number is and where its calls ring."""

    outbound_agent: str | None = None
    preferred: bool = True
    inbound_target: InboundTarget | None = None

    @property
    def empty(self) -> bool:
        """Tells whether the number belongs to nobody."""
        return self.outbound_agent is None and self.inbound_target is None


@dataclass(frozen=True)
class Refusal:
    """Why a command is refused."""

    reason: ErrorCode
    detail: str


Decision = Assignment | Refusal | None
"""The new assignment, a refusal, or None when it already is so (nothing to do)."""


def decide(command: AssignmentCommand, current: Assignment) -> Decision:
    """Decides what a command makes of the current assignment."""
    match command:
        case AssignNumber():
            return _assign(command, current)
        case ReassignNumber():
            return _reassign(command, current)
        case UnassignNumber():
            return None if current.empty else Assignment()
    return None


def _assign(command: AssignNumber, current: Assignment) -> Decision:
    agent = command.outbound_agent
    new = Assignment(
        outbound_agent=agent if agent is not None else current.outbound_agent,
        preferred=command.preferred if agent is not None else current.preferred,
        inbound_target=command.inbound_target or current.inbound_target,
    )
    return None if new == current else new


def _reassign(command: ReassignNumber, current: Assignment) -> Decision:
    if current.outbound_agent == command.to_agent:
        return None
    if current.outbound_agent != command.from_agent:
        held = current.outbound_agent or "nobody"
        return Refusal(
            ErrorCode.AGENT_MISMATCH,
            f"{command.number} is held by {held}, not by {command.from_agent}",
        )
    target = current.inbound_target
    if target and target.type == TargetType.AGENT and target.id == command.from_agent:
        target = InboundTarget(type=TargetType.AGENT, id=command.to_agent)
    return Assignment(command.to_agent, current.preferred, target)


def targets_of(command: AssignmentCommand) -> list[tuple[str, str]]:
    """Returns the extensions the command names, each with the directory type it must have."""
    match command:
        case AssignNumber():
            wanted = [(command.outbound_agent, "extension")] if command.outbound_agent else []
            if command.inbound_target:
                wanted.append((command.inbound_target.id, _kind(command.inbound_target.type)))
            return wanted
        case ReassignNumber():
            return [(command.to_agent, "extension")]
    return []


def _kind(target: TargetType) -> str:
    return {TargetType.QUEUE: "queue", TargetType.RING_GROUP: "ring_group"}.get(target, "extension")
