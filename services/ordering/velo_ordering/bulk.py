"""Bulk requests: a bulk's children, its counts and the progress events it announces. No I/O.

A bulk of N picks becomes N ordinary requests with deterministic ids `<bulk_id>-<i>`, each
stored first-writer-wins, so expanding the same bulk twice (a redelivered command, a crash in
the middle of expanding) finds the children already there: never more than N requests, and each
orders once at DIDWW by its id. Progress is read from the children; the bulk document only keeps
which outcomes it has announced, so each child's outcome is announced once, in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from velo_contracts import (
    AdminAlertRaised,
    BulkOutcome,
    BulkProgressed,
    BulkRequested,
    ErrorCode,
    Event,
    RequestNumber,
    RequestNumbers,
)
from velo_contracts.envelope import stable_id, utc_now
from velo_ordering.domain import Status
from velo_runtime.outbox import with_events

Document = dict[str, Any]
OUTCOMES = {
    Status.ACTIVE: BulkOutcome.ACTIVE,
    Status.REJECTED: BulkOutcome.REJECTED,
    Status.FAILED: BulkOutcome.FAILED,
}
"""The child statuses that end a number of a bulk (approved still waits for PortSIP)."""


def child_id(bulk_id: str, index: int) -> str:
    """Returns the request id of the bulk's child number index (0-based)."""
    return f"{bulk_id}-{index}"


def children(bulk: RequestNumbers) -> list[RequestNumber]:
    """Returns the bulk's child requests, the same ones every time the bulk is expanded."""
    return [
        RequestNumber(
            message_id=stable_id(bulk.tenant_id, bulk.bulk_id, str(index)),
            occurred_at=bulk.occurred_at,
            tenant_id=bulk.tenant_id,
            actor=bulk.actor,
            correlation_id=bulk.correlation_id,
            causation_id=bulk.message_id,
            command_id=child_id(bulk.bulk_id, index),
            request_id=child_id(bulk.bulk_id, index),
            pick=pick,
            bulk_id=bulk.bulk_id,
        )
        for index, pick in enumerate(bulk.picks)
    ]


def requested(bulk: RequestNumbers) -> BulkRequested:
    """Returns the event that the bulk was accepted."""
    return BulkRequested.caused_by(
        bulk, bulk_id=bulk.bulk_id, total=len(bulk.picks), picks=bulk.picks, cost=bulk.cost
    )


def second_body(stored: Document, bulk: RequestNumbers) -> AdminAlertRaised | None:
    """Returns an alert when bulk reuses a stored bulk's id for other picks (not placed)."""
    first = RequestNumbers.model_validate(stored["command"])
    if first.picks == bulk.picks:
        return None
    return AdminAlertRaised.to_sender(
        bulk,
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        about=bulk.message_id,  # the key is the first bulk's: each second body its own
        title="A second bulk with the same Idempotency-Key was not placed",
        detail=(
            f"Bulk {bulk.bulk_id} already asks for {len(first.picks)} numbers; the same "
            f"Idempotency-Key then asked for {len(bulk.picks)} others, which were not placed. "
            "Use a new key for a new bulk."
        ),
    )


def outcome_of(child: Document) -> BulkOutcome | None:
    """Returns how a child ended, or None while it is on its way."""
    return OUTCOMES.get(Status(child["status"]))


@dataclass(frozen=True)
class Tally:
    """A bulk's counts: `done + failed + pending == total` always."""

    total: int
    done: int
    failed: int

    @property
    def pending(self) -> int:
        """Numbers still on their way (children not yet stored count as pending)."""
        return self.total - self.done - self.failed

    @classmethod
    def of(cls, total: int, outcomes: Iterable[BulkOutcome | str | None]) -> Tally:
        """Counts outcomes (None: still on its way) of a bulk of total numbers."""
        ended = [BulkOutcome(o) for o in outcomes if o is not None]
        done = sum(o is BulkOutcome.ACTIVE for o in ended)
        return cls(total, done, len(ended) - done)


def announce(stored: Document | None, kids: list[Document]) -> Document | None:
    """Returns the bulk document with every child outcome not yet announced recorded and a
    `BulkProgressed` for each in its outbox, in child order; None when there is nothing new."""
    if stored is None:
        return None
    bulk = RequestNumbers.model_validate(stored["command"])
    announced: dict[str, str] = dict(stored.get("outcomes") or {})
    events: list[Event] = []
    for kid in sorted(kids, key=lambda k: k["bulk_index"]):
        outcome = outcome_of(kid)
        if outcome is None or kid["request_id"] in announced:
            continue
        announced[kid["request_id"]] = str(outcome)
        tally = Tally.of(len(bulk.picks), announced.values())
        events.append(_progressed(bulk, kid, outcome, tally))
    if not events:
        return None
    tally = Tally.of(len(bulk.picks), announced.values())
    counts = {"done": tally.done, "failed": tally.failed, "finished": tally.pending == 0}
    changed = stored | {"outcomes": announced, "updated_at": utc_now()} | counts
    return with_events(changed, events)


def _progressed(
    bulk: RequestNumbers, kid: Document, outcome: BulkOutcome, tally: Tally
) -> BulkProgressed:
    return BulkProgressed.caused_by(
        bulk,
        bulk_id=bulk.bulk_id,
        request_id=kid["request_id"],
        number=kid.get("number"),
        outcome=outcome,
        reason=kid.get("reason"),
        detail=kid.get("detail"),
        total=tally.total,
        done=tally.done,
        failed=tally.failed,
        pending=tally.pending,
    )
