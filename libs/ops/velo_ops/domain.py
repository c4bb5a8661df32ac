"""What `velo-dlq` decides, without I/O: a dead letter's state, which one an id names, events."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from velo_contracts import PLATFORM_TENANT_ID, Actor, DeadLetterDiscarded, DeadLetterReplayed
from velo_contracts.envelope import stable_id
from velo_contracts.tenants import without_secrets
from velo_runtime.deadletters import DeadLetter

MASK = "[sealed secret, not shown]"


class Kind(StrEnum):
    """What an operator does with a dead letter."""

    REPLAY = "replay"
    DISCARD = "discard"


class State(StrEnum):
    """Where a dead letter stands, as `velo-dlq list` shows it."""

    PARKED = "parked"
    REPLAY_UNCONFIRMED = "replay unconfirmed"
    REPLAYED = "replayed"
    DISCARD_UNCONFIRMED = "discard unconfirmed"
    DISCARDED = "discarded"


@dataclass(frozen=True)
class Action:
    """What one operator did, or began to do, with one dead letter (at most one action each)."""

    dead_letter: str
    kind: Kind
    by: str
    at: datetime
    reason: str | None = None
    sent_at: datetime | None = None
    done_at: datetime | None = None
    attempts: int = 1
    resumed_by: str | None = None

    @property
    def state(self) -> State:
        """The dead letter's state this action leaves it in."""
        if self.kind is Kind.REPLAY:
            return State.REPLAYED if self.done_at else State.REPLAY_UNCONFIRMED
        return State.DISCARDED if self.done_at else State.DISCARD_UNCONFIRMED

    def resumed(self, by: str) -> Action:
        """Returns the action taken up again by an operator after it stopped half-way."""
        return replace(self, attempts=self.attempts + 1, resumed_by=by)


def state_of(action: Action | None) -> State:
    """Returns the state of a dead letter with this action (or none)."""
    return action.state if action else State.PARKED


def moment(at: datetime) -> str:
    """Returns a time as people read it here: UTC to the second, `Z`."""
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class DlqError(Exception):
    """Something `velo-dlq` cannot or will not do; `exit_code` tells scripts which."""

    exit_code = 2


class UnknownDeadLetter(DlqError):
    """No dead letter has this id (nor a message id starting with it)."""

    def __init__(self, wanted: str):
        super().__init__(f"no dead letter {wanted!r} (give its id, or a message id prefix)")


class AmbiguousId(DlqError):
    """More than one dead letter matches a message id prefix."""

    def __init__(self, wanted: str, matches: Sequence[DeadLetter]):
        ids = ", ".join(letter.id for letter in matches[:5])
        super().__init__(f"{wanted!r} matches {len(matches)} dead letters ({ids}); give the id")


class Unreachable(DlqError):
    """Kafka or the database did not answer."""


class Refused(DlqError):
    """The action is not done: someone else did it, or there is nothing to take up."""

    exit_code = 1


class AlreadyHandled(Refused):
    """Another action on this dead letter came first (first writer wins)."""

    def __init__(self, action: Action):
        self.action = action
        verb = "replayed" if action.kind is Kind.REPLAY else "discarded"
        done = "" if action.done_at else f" (unconfirmed: `{action.kind} --resume` finishes it)"
        super().__init__(
            f"{action.dead_letter} was already {verb} by {action.by} "
            f"at {moment(action.at)}{done}; nothing was done"
        )


class Unconfirmed(Refused):
    """An action was recorded but stopped before it was confirmed; `--resume` finishes it."""

    def __init__(self, action: Action, error: BaseException):
        self.action = action
        twice = " (the message may then be published twice)" * (
            action.kind is Kind.REPLAY and action.sent_at is None
        )
        super().__init__(
            f"the {action.kind} of {action.dead_letter} is recorded but not confirmed "
            f"({type(error).__name__}: {error}); finish it with `velo-dlq {action.kind} "
            f"{action.dead_letter} --resume --by {action.by}`{twice}"
        )


def resolve(wanted: str, letters: Sequence[DeadLetter]) -> DeadLetter:
    """Returns the dead letter wanted names: its id, or a unique prefix of its message id."""
    exact = [letter for letter in letters if letter.id == wanted]
    matches = exact or [
        letter for letter in letters if letter.message_id and letter.message_id.startswith(wanted)
    ]
    if not matches:
        raise UnknownDeadLetter(wanted)
    if len(matches) > 1:
        raise AmbiguousId(wanted, matches)
    return matches[0]


def announcement(action: Action, letter: DeadLetter) -> DeadLetterReplayed | DeadLetterDiscarded:
    """Returns the ops event telling the stream (and audit) what the operator did.

    Its message id is the same each time it is built for one action, so a resumed action's second
    announcement is deduplicated by consumers.
    """
    common: dict[str, Any] = {
        "message_id": stable_id("velo-dlq", action.kind, letter.id),
        "occurred_at": action.at,
        "tenant_id": letter.tenant_id or PLATFORM_TENANT_ID,
        "actor": Actor.operator(action.by),
        "causation_id": letter.message_id,
        "dead_letter": letter.id,
        "original_topic": letter.original_topic,
        "original_message_id": letter.message_id,
        "original_type": letter.message_type,
        "number": letter.number,
    }
    if letter.correlation_id:
        common["correlation_id"] = letter.correlation_id
    if action.kind is Kind.REPLAY:
        return DeadLetterReplayed(reason=action.reason, **common)
    return DeadLetterDiscarded(reason=action.reason or "", **common)


def payload_of(letter: DeadLetter) -> Any:
    """Returns the dead letter's payload for people: parsed JSON with secrets masked, else text."""
    text = (letter.value or b"").decode(errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return masked(data)


def masked(data: Any) -> Any:
    """Returns data with every sealed secret of a tenant configuration replaced by a mask."""
    return without_secrets(data, MASK) if isinstance(data, dict) else data
