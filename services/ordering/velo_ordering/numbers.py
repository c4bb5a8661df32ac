"""The numbers collection: every DID ordering knows the tenant holds, with its outbox."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import Event
from velo_contracts.envelope import utc_now
from velo_runtime import IndexSpec
from velo_runtime.documents import Document, MongoDocuments, change
from velo_runtime.outbox import outbox_index, with_events

NUMBERS = "numbers"
INDEXES = [
    IndexSpec(NUMBERS, [("tenant_id", 1), ("status", 1)]),
    outbox_index(NUMBERS),
]


class NumberStatus(StrEnum):
    """Whether the tenant holds a number at DIDWW, as far as ordering knows."""

    LIVE = "live"
    RELEASED = "released"
    GONE_AT_DIDWW = "gone_at_didww"


def number_key(tenant_id: str, number: str) -> str:
    """Returns the document id of a tenant's number."""
    return f"{tenant_id}/{number}"


class NumberStore:
    """Stores the tenant's numbers; a status change and its events are one guarded write."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.numbers: AsyncCollection[Document] = db[NUMBERS]
        self.docs = MongoDocuments(self.numbers)

    async def record_live(
        self, tenant_id: str, number: str, did_id: str, origin: str, facts: dict[str, Any]
    ) -> None:
        """Records a number the tenant now holds (idempotent)."""
        fields = _live(tenant_id, number, did_id, origin, facts)
        await change(self.docs, number_key(tenant_id, number), lambda doc: (doc or {}) | fields)

    async def import_found(
        self, tenant_id: str, number: str, did_id: str, facts: dict[str, Any], event: Event
    ) -> bool:
        """Records a number found at DIDWW with its import event; False if it was known live."""
        fields = _live(tenant_id, number, did_id, "import", facts)

        def decide(stored: Document | None) -> Document | None:
            if stored and stored["status"] == NumberStatus.LIVE:
                return None
            return with_events((stored or {}) | fields, [event])

        written = await change(self.docs, number_key(tenant_id, number), decide)
        return written.changed

    async def note(self, tenant_id: str, number: str, events: list[Event]) -> bool:
        """Queues events about a number (creating its record if needed); tells whether it did."""
        fields = {"tenant_id": tenant_id, "number": number, "status": "unknown"}
        written = await change(
            self.docs,
            number_key(tenant_id, number),
            lambda doc: with_events(doc or fields, events),
        )
        return written.changed

    async def get(self, tenant_id: str, number: str) -> Document | None:
        """Returns one of the tenant's numbers."""
        return await self.numbers.find_one({"_id": number_key(tenant_id, number)})

    async def leave(
        self, tenant_id: str, number: str, status: NumberStatus, events: list[Event]
    ) -> bool:
        """Moves a live number to status with its events; False if it was not live any more."""

        def decide(stored: Document | None) -> Document | None:
            if stored is None or stored["status"] != NumberStatus.LIVE:
                return None
            left_by = events[0].causation_id if events else None  # the command, for redeliveries
            fields = {"status": str(status), "updated_at": utc_now(), "left_by": left_by}
            return with_events(stored | fields, events)

        written = await change(self.docs, number_key(tenant_id, number), decide)
        return written.changed

    async def live(self, tenant_id: str) -> list[Document]:
        """Returns the tenant's live numbers."""
        query = {"tenant_id": tenant_id, "status": str(NumberStatus.LIVE)}
        return [doc async for doc in self.numbers.find(query)]


def _live(tenant_id: str, number: str, did_id: str, origin: str, facts: Document) -> Document:
    return {
        "tenant_id": tenant_id,
        "number": number,
        "did_id": did_id,
        "origin": origin,
        "facts": facts,
        "status": str(NumberStatus.LIVE),
        "updated_at": utc_now(),
    }
