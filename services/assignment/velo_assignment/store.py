"""The Phone numbers list in MongoDB: one row per number's life, with history and outbox.

Every change is a compare-and-set on the row's `rev`, recorded once per message id; events the
change causes wait in the same row's `outbox` until relayed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from velo_contracts import Event, Message
from velo_runtime import IndexSpec
from velo_runtime.mongo import OneWriterPerDocument

Document = dict[str, Any]
Change = Callable[[Document | None], Document]
ROWS = "numbers"
INDEXES = [
    IndexSpec(ROWS, [("tenant_id", 1), ("number", 1)]),
    IndexSpec(ROWS, [("tenant_id", 1), ("created_at", -1), ("_id", -1)]),
    IndexSpec(ROWS, [("pending_events", 1)]),
]


class ConcurrentChange(RuntimeError):
    """A row kept changing under a writer; the message is retried."""


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
        **{k: v for k, v in detail.items() if v is not None},
    }


class NumberBook:
    """Reads and changes the rows of the Phone numbers list."""

    def __init__(
        self, db: AsyncDatabase[Document], on_active: Callable[[float], None] | None = None
    ):
        self.rows = OneWriterPerDocument(db[ROWS])
        self.routing = db["routing"]
        self.commands = db["commands"]
        self.on_active = on_active

    async def current(self, tenant_id: str, number: str) -> Document | None:
        """Returns the tenant's latest row of number (a released one only if no other)."""
        query = {"tenant_id": tenant_id, "number": number}
        rows = [row async for row in self.rows.find(query).sort("created_at", DESCENDING)]
        live = [row for row in rows if row.get("status") != "released"]
        chosen = live or rows
        return chosen[0] if chosen else None

    async def change(
        self, row_id: str, message: Message, change: Change, *, events: Sequence[Event] = ()
    ) -> bool:
        """Applies change to a row once per message; tells whether it was new."""
        for _ in range(5):
            row = await self.rows.find_one({"_id": row_id})
            if row and message.message_id in row.get("seen", []):
                return False
            fields = change(row) | {"updated_at": now()} | _outbox(events)
            entry = history_entry(message, **fields.pop("_history", {}))
            if await self._write(row_id, row, message, fields, entry, len(events)):
                self._note_activation(row, fields)
                return True
        raise ConcurrentChange(row_id)

    async def _write(
        self,
        row_id: str,
        row: Document | None,
        message: Message,
        fields: Document,
        entry: Document,
        pending: int,
    ) -> bool:
        if row is None:
            document = {k: v for k, v in fields.items() if not k.startswith("outbox.")}
            document |= {"_id": row_id, "rev": 1, "created_at": message.occurred_at}
            document |= {"seen": [message.message_id], "history": [entry]}
            try:
                await self.rows.insert_one(document | {"pending_events": 0})
            except DuplicateKeyError:
                return False
            return True
        update = {
            "$set": fields,
            "$inc": {"rev": 1, "pending_events": pending},
            "$push": {"history": entry},
            "$addToSet": {"seen": message.message_id},
        }
        result = await self.rows.update_one({"_id": row_id, "rev": row["rev"]}, update)
        return bool(result.modified_count)

    def _note_activation(self, row: Document | None, fields: Document) -> None:
        """Reports how long an ordered number took from request to Active."""
        became_active = fields.get("status") == "active" and row and row.get("status") != "active"
        if became_active and self.on_active and row and row.get("origin") == "ordered":
            self.on_active((now() - row["created_at"]).total_seconds())

    async def with_outbox(self) -> list[Document]:
        """Returns the rows that have events waiting to be relayed."""
        return [row async for row in self.rows.find({"pending_events": {"$gt": 0}})]

    async def relayed(self, row_id: str, message_id: str) -> None:
        """Removes a relayed event from its row's outbox."""
        field = f"outbox.{message_id}"
        await self.rows.update_one(
            {"_id": row_id, field: {"$exists": True}},
            {"$unset": {field: ""}, "$inc": {"pending_events": -1}},
        )

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


def _outbox(events: Sequence[Event]) -> Document:
    return {f"outbox.{e.message_id}": e.model_dump(mode="json") for e in events}
