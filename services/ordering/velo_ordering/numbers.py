"""The numbers collection: every DID ordering knows the tenant holds, with its outbox."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from enum import StrEnum
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from velo_contracts import Event
from velo_contracts.envelope import utc_now
from velo_ordering.leases import Leases
from velo_ordering.outbox import outbox_fields

Document = dict[str, Any]
NUMBERS = "numbers"


class NumberStatus(StrEnum):
    """Whether the tenant holds a number at DIDWW, as far as ordering knows."""

    LIVE = "live"
    RELEASED = "released"
    GONE_AT_DIDWW = "gone_at_didww"


def number_key(tenant_id: str, number: str) -> str:
    """Returns the document id of a tenant's number."""
    return f"{tenant_id}/{number}"


class NumberStore:
    """Stores the tenant's numbers; a status change and its events are one update."""

    def __init__(self, db: AsyncDatabase[Document], leases: Leases) -> None:
        self.numbers: AsyncCollection[Document] = db[NUMBERS]
        self.leases = leases

    def _lease(self, tenant_id: str, number: str) -> AbstractAsyncContextManager[None]:
        return self.leases.held(f"{NUMBERS}:{number_key(tenant_id, number)}")

    async def record_live(
        self, tenant_id: str, number: str, did_id: str, origin: str, facts: dict[str, Any]
    ) -> None:
        """Records a number the tenant now holds (idempotent)."""
        fields: Document = {"tenant_id": tenant_id, "number": number, "did_id": did_id}
        fields |= {"origin": origin}
        fields |= {"facts": facts, "status": str(NumberStatus.LIVE), "updated_at": utc_now()}
        async with self._lease(tenant_id, number):
            await self.numbers.update_one(
                {"_id": number_key(tenant_id, number)},
                {"$set": fields, "$setOnInsert": {"outbox": {}}},
                upsert=True,
            )

    async def import_found(
        self, tenant_id: str, number: str, did_id: str, facts: dict[str, Any], event: Event
    ) -> bool:
        """Records a number found at DIDWW with its import event; False if it was known live."""
        fields: Document = {"tenant_id": tenant_id, "number": number, "did_id": did_id}
        fields |= {"origin": "import"}
        fields |= {"facts": facts, "status": str(NumberStatus.LIVE), "updated_at": utc_now()}
        try:
            async with self._lease(tenant_id, number):
                await self.numbers.update_one(
                    {"_id": number_key(tenant_id, number), "status": {"$ne": NumberStatus.LIVE}},
                    {"$set": fields | outbox_fields([event])},
                    upsert=True,
                )
        except DuplicateKeyError:
            return False
        return True

    async def get(self, tenant_id: str, number: str) -> Document | None:
        """Returns one of the tenant's numbers."""
        return await self.numbers.find_one({"_id": number_key(tenant_id, number)})

    async def leave(
        self, tenant_id: str, number: str, status: NumberStatus, events: list[Event]
    ) -> bool:
        """Moves a live number to status with its events; False if it was not live any more."""
        fields = {"status": str(status), "updated_at": utc_now(), **outbox_fields(events)}
        async with self._lease(tenant_id, number):
            result = await self.numbers.update_one(
                {"_id": number_key(tenant_id, number), "status": str(NumberStatus.LIVE)},
                {"$set": fields},
            )
        return result.modified_count == 1

    async def live(self, tenant_id: str) -> list[Document]:
        """Returns the tenant's live numbers."""
        query = {"tenant_id": tenant_id, "status": str(NumberStatus.LIVE)}
        return [doc async for doc in self.numbers.find(query)]
