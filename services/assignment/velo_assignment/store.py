"""The Phone numbers list in MongoDB: one row per number, with ownership periods, history, outbox.

Every change goes through the runtime's revision rule (`velo_runtime.documents`), once per message
id; events the change causes wait in the same row's `outbox` until relayed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import Event, Message
from velo_runtime import IndexSpec, documents
from velo_runtime.outbox import outbox_index, with_events

Document = dict[str, Any]
Change = Callable[[Document | None], Document]
ROWS = "numbers"
INDEXES = [
    IndexSpec(ROWS, [("tenant_id", 1), ("listed_at", -1), ("_id", -1)]),
    IndexSpec(ROWS, [("tenant_id", 1), ("status", 1), ("listed_at", -1), ("_id", -1)]),
    outbox_index(ROWS),
]
RECENT_CHANGES = 20
"""How many assignment changes a row keeps with their outcome (for the admin and the CLI)."""


def row_id(tenant_id: str, number: str) -> str:
    """Returns the row id of a number the tenant holds or held (one row per number)."""
    return f"{tenant_id}|{number}"


def noting(row: Document | None, change: Document) -> list[Document]:
    """Returns the row's recent changes with change added (newest last)."""
    return [*(row or {}).get("changes", []), change][-RECENT_CHANGES:]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def now() -> datetime:
    """Returns the current time in UTC."""
    return datetime.now(UTC)


def history_entry(message: Message, **detail: Any) -> Document:
    """Returns one history line: what happened, when, and who caused it."""
    return {
        "at": message.occurred_at,
        "event": message.type,
        "actor": message.actor.model_dump(mode="json"),
        "message_id": message.message_id,
        "causation_id": message.causation_id,
        **{k: v for k, v in detail.items() if v is not None},
    }


class NumberBook:
    """Reads and changes the rows of the Phone numbers list."""

    def __init__(
        self, db: AsyncDatabase[Document], on_active: Callable[[float], None] | None = None
    ):
        self.rows = db[ROWS]
        self.docs = documents.MongoDocuments(self.rows)
        self.routing = db["routing"]
        self.commands = db["commands"]
        self.on_active = on_active

    async def current(self, tenant_id: str, number: str) -> Document | None:
        """Returns the tenant's row of number (one row per number it holds or held)."""
        return await self.rows.find_one({"_id": row_id(tenant_id, number)})

    async def exists(self, row: str) -> bool:
        """Tells whether a row exists."""
        return await self.rows.find_one({"_id": row}, {"_id": 1}) is not None

    async def change(
        self, row_id: str, message: Message, change: Change, *, events: Sequence[Event] = ()
    ) -> bool:
        """Applies change to a row once per message, with its events; tells whether it was new."""
        before: list[Document | None] = []

        def decide(row: Document | None) -> Document | None:
            if row and message.message_id in row.get("seen", []):
                return None
            before[:] = [row]
            return _changed(row, message, change(row), events)

        written = await documents.change(self.docs, row_id, decide)
        if written.changed and written.document:
            self._note_activation(before[0], written.document)
        return written.changed

    def _note_activation(self, row: Document | None, new: Document) -> None:
        """Reports how long an ordered number took from request to Active."""
        became_active = new.get("status") == "active" and row and row.get("status") != "active"
        requested_at = new.get("requested_at")
        if became_active and self.on_active and new.get("origin") == "ordered" and requested_at:
            self.on_active((now() - _aware(requested_at)).total_seconds())

    async def set_routed(self, tenant_id: str, number: str, routed: bool) -> None:
        """Remembers whether PortSIP routes the number (events may overtake each other)."""
        await self.routing.replace_one(
            {"_id": f"{tenant_id}|{number}"}, {"routed": routed}, upsert=True
        )

    async def is_routed(self, tenant_id: str, number: str) -> bool:
        """Tells whether PortSIP was last reported routing the number."""
        found = await self.routing.find_one({"_id": f"{tenant_id}|{number}"})
        return bool(found and found.get("routed"))

    async def was_handled(self, tenant_id: str, command_id: str) -> bool:
        """Tells whether a command was refused or found already done before."""
        return await self.commands.find_one({"_id": f"{tenant_id}|{command_id}"}) is not None

    async def handled(self, tenant_id: str, command_id: str, outcome: str) -> None:
        """Remembers that a command ended without changing a row."""
        await self.commands.replace_one(
            {"_id": f"{tenant_id}|{command_id}"}, {"outcome": outcome, "at": now()}, upsert=True
        )


def _changed(
    row: Document | None, message: Message, fields: Document, events: Sequence[Event]
) -> Document:
    """Returns the row after a change: its fields, a history line, the message seen, the events."""
    entry = history_entry(message, **fields.pop("_history", {}))
    base = row or {"created_at": message.occurred_at, "seen": [], "history": []}
    changed = (
        base
        | fields
        | {
            "updated_at": now(),
            "seen": [*base["seen"], message.message_id],
            "history": [*base["history"], entry],
        }
    )
    return with_events(changed, events)
