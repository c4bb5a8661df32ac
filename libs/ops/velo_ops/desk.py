"""The operator's desk for dead letters: list, find, replay once, discard, resume."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from velo_contracts import Message
from velo_contracts.topics import DLQ_SUFFIX
from velo_ops.actions import ActionLog
from velo_ops.domain import (
    Action,
    DlqError,
    Kind,
    State,
    Unconfirmed,
    UnknownDeadLetter,
    announcement,
    resolve,
    state_of,
)
from velo_runtime.deadletters import DeadLetter


class Letters(Protocol):
    """Where dead letters are read from."""

    async def all(self, topic: str | None = None) -> list[DeadLetter]:
        """Returns every dead letter (of one DLQ topic, or of all)."""

    async def one(self, topic: str, partition: int, offset: int) -> DeadLetter | None:
        """Returns the dead letter at a coordinate, or None."""


class Sender(Protocol):
    """Where replays and announcements are published."""

    async def replay(self, letter: DeadLetter, operator: str) -> None:
        """Publishes the original record to its original topic, marked as a replay."""

    async def announce(self, message: Message) -> None:
        """Publishes an ops event."""


def now_ms() -> datetime:
    """Returns the time in UTC to the millisecond (what the database keeps)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class Row:
    """A dead letter and what was done with it."""

    letter: DeadLetter
    action: Action | None

    @property
    def state(self) -> State:
        """Where the dead letter stands."""
        return state_of(self.action)


class Desk:
    """Finds dead letters and carries out operators' actions on them, each at most once."""

    def __init__(
        self, letters: Letters, actions: ActionLog, clock: Callable[[], datetime] = now_ms
    ):
        self.letters = letters
        self.actions = actions
        self.clock = clock

    async def rows(
        self, topic: str | None = None, tenant: str | None = None, everything: bool = False
    ) -> list[Row]:
        """Returns the dead letters still needing an operator (or all), with their actions."""
        letters = [
            letter
            for letter in await self.letters.all(topic)
            if tenant is None or letter.tenant_id == tenant
        ]
        actions = await self.actions.of(letter.id for letter in letters)
        rows = [Row(letter, actions.get(letter.id)) for letter in letters]
        finished = (State.REPLAYED, State.DISCARDED)
        return [row for row in rows if everything or row.state not in finished]

    async def row(self, wanted: str) -> Row:
        """Returns the dead letter an id names, with its action."""
        letter = await self.find(wanted)
        return Row(letter, await self.actions.get(letter.id))

    async def find(self, wanted: str) -> DeadLetter:
        """Returns the dead letter with this id, or with a message id this uniquely begins."""
        topic, _, position = wanted.rpartition("/")
        dlq, _, partition = topic.rpartition("/")
        if dlq.endswith(DLQ_SUFFIX) and partition.isdigit() and position.isdigit():
            found = await self.letters.one(dlq, int(partition), int(position))
            if found is None:
                raise UnknownDeadLetter(wanted)
            return found
        return resolve(wanted, await self.letters.all())

    async def replay(
        self, wanted: str, by: str, sender: Sender, reason: str | None = None
    ) -> Action:
        """Publishes a dead letter to its original topic once, then announces who did it."""
        letter = await self.find(wanted)
        action = await self.actions.begin(Action(letter.id, Kind.REPLAY, by, self.clock(), reason))
        return await self._carry_out(action, letter, sender)

    async def discard(self, wanted: str, by: str, sender: Sender, reason: str) -> Action:
        """Sets a dead letter aside for good, once, and announces who did it and why."""
        if not reason.strip():
            raise DlqError("a discard needs --reason")
        letter = await self.find(wanted)
        action = await self.actions.begin(Action(letter.id, Kind.DISCARD, by, self.clock(), reason))
        return await self._carry_out(action, letter, sender)

    async def resume(self, wanted: str, kind: Kind, by: str, sender: Sender) -> Action:
        """Finishes an action that stopped half-way (a replay may then be published twice)."""
        letter = await self.find(wanted)
        action = await self.actions.resume(letter.id, kind, by)
        return await self._carry_out(action, letter, sender)

    async def _carry_out(self, action: Action, letter: DeadLetter, sender: Sender) -> Action:
        try:
            if action.kind is Kind.REPLAY and action.sent_at is None:
                await sender.replay(letter, action.by)
                action = await self.actions.sent(action, self.clock())
            await sender.announce(announcement(action, letter))
            return await self.actions.finish(action, self.clock())
        except Exception as error:  # whatever stopped it, the action waits for --resume
            raise Unconfirmed(action, error) from error
