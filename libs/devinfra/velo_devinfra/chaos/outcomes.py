"""Where each accepted command ended, as an admin could see it.

A command's outcome is found, in this order, on:
- a request: its status (`active` applied; `rejected`/`failed` refused, with the reason shown);
- an assignment: the number's recent `changes` (applied, unchanged or refused, by command id),
  else the number's history (the command's message id, or a refusal caused by it), else the
  refusal alert assignment raises for it (its id derives from the command id);
- a release: the number's history (`NumberReleased` caused by the command), else a refused change;
and for any of them, a dead-letter entry of its message in the admin's alerts.
Nothing of these after the system settled: the command was silently lost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from velo_contracts import AdminAlertRaised, ErrorCode
from velo_devinfra.chaos.ledger import Accepted
from velo_devinfra.chaos.observe import Snapshot

APPLIED, REFUSED, UNCHANGED, IN_FLIGHT, LOST = (
    "applied",
    "refused",
    "unchanged",
    "in flight",
    "lost",
)


@dataclass(frozen=True)
class Outcome:
    """How one accepted command ended, and where that shows."""

    command: Accepted
    result: str
    where: str


def outcomes(accepted: list[Accepted], snap: Snapshot) -> list[Outcome]:
    """Returns the outcome of every accepted command."""
    messages = command_messages(snap)
    found = [_outcome(command, snap, messages.get(command.id, [])) for command in accepted]
    return [_coalesced(outcome, found) for outcome in found]


def _coalesced(outcome: Outcome, everything: list[Outcome]) -> Outcome:
    """A release with no trace of its own, of a number another accepted release gave back.

    Two admins releasing one number at once both get a 202; ordering gives it back once and
    ignores the second (nothing left to release), leaving no trace of it on the number.
    """
    command = outcome.command
    if command.kind != "release" or outcome.result != LOST:
        return outcome
    winners = [
        o.command.seq
        for o in everything
        if o.command.kind == "release"
        and o.result == APPLIED
        and (o.command.tenant, o.command.number) == (command.tenant, command.number)
    ]
    if not winners:
        return outcome
    return Outcome(command, UNCHANGED, f"{COALESCED} op {winners[0]}")


COALESCED = "no trace of its own: released by"


def command_messages(snap: Snapshot) -> dict[str, list[str]]:
    """Maps each command id (request id for requests) to the message ids it was published under."""
    found: dict[str, list[str]] = defaultdict(list)
    for record in snap.records:
        if ".commands." in record.topic and not record.dead_letter:
            command_id = record.payload.get("request_id") or record.payload.get("command_id")
            if command_id and record.message_id not in found[command_id]:
                found[command_id].append(record.message_id)
    return found


def _outcome(command: Accepted, snap: Snapshot, message_ids: list[str]) -> Outcome:
    view = snap.tenants[command.tenant]
    if command.kind == "request":
        found = _request(snap.requests.get(command.id) or {})
    else:
        row = view.rows.get(command.number or "", {})
        finder = _release if command.kind == "release" else _assignment
        found = finder(command, row, message_ids, view.alert_ids)
    if found is None:
        dead = [m for m in message_ids if f"dead-letter:{m}" in view.alert_ids]
        found = (REFUSED, "dead-lettered, the admin was alerted") if dead else (LOST, "nowhere")
    return Outcome(command, *found)


def _request(state: dict[str, Any]) -> tuple[str, str] | None:
    status = state.get("status")
    if status == "active":
        return APPLIED, f"request active ({state.get('number')})"
    if status in ("rejected", "failed"):
        reason = state.get("reason") or ""
        return (REFUSED, f"request {status}: {reason[:80]}") if reason else None
    if status:
        return IN_FLIGHT, f"request still {status}"
    return None


def _assignment(
    command: Accepted, row: dict[str, Any], message_ids: list[str], alerts: set[str]
) -> tuple[str, str] | None:
    for change in row.get("changes", []):
        if change.get("command_id") == command.id:
            return _change_outcome(change, row)
    for entry in row.get("history", []):
        if entry.get("message_id") in message_ids:
            return APPLIED, f"history: {entry['event']}"
        if entry.get("causation_id") in message_ids:
            return REFUSED if "Rejected" in entry[
                "event"
            ] else APPLIED, f"history: {entry['event']}"
    raised = {AdminAlertRaised.id_for(command.tenant, command.id, code) for code in ErrorCode}
    return (REFUSED, "refusal alert") if raised & alerts else None


def _change_outcome(change: dict[str, Any], row: dict[str, Any]) -> tuple[str, str]:
    outcome = str(change.get("outcome"))
    if outcome == "refused":
        return REFUSED, f"change refused: {str(change.get('reason'))[:80]}"
    routing = change.get("routing")
    if outcome == "applied" and routing != "configured" and row.get("status") == "active":
        return IN_FLIGHT, f"applied, PortSIP {routing}"
    return (APPLIED if outcome == "applied" else UNCHANGED), f"change {outcome}"


def _release(
    command: Accepted, row: dict[str, Any], message_ids: list[str], alerts: set[str]
) -> tuple[str, str] | None:
    for entry in row.get("history", []):
        caused = entry.get("causation_id")
        if entry.get("event") == "NumberReleased" and (
            caused == command.id or caused in message_ids
        ):
            return APPLIED, "history: NumberReleased"
    for change in row.get("changes", []):
        if change.get("command_id") == command.id and change.get("outcome") == "refused":
            return REFUSED, f"release refused: {str(change.get('reason'))[:80]}"
    return None
