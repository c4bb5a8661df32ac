"""The requests collection: one document per request, holding its state, lease and outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from velo_contracts import Event, RequestNumber
from velo_contracts.envelope import utc_now
from velo_ordering.domain import TERMINAL, Status, Step, first_step, wanted_number
from velo_ordering.outbox import outbox_fields
from velo_runtime import IndexSpec

Document = dict[str, Any]
REQUESTS = "requests"
NOT_TERMINAL = {"$nin": [str(s) for s in TERMINAL]}
INDEXES = [
    IndexSpec(REQUESTS, [("status", 1), ("due_at", 1)], name="due"),
    IndexSpec(REQUESTS, [("tenant_id", 1), ("order.id", 1)], name="tenant_order"),
]


def request_key(tenant_id: str, request_id: str) -> str:
    """Returns the document id of a tenant's request (request ids are unique per tenant)."""
    return f"{tenant_id}/{request_id}"


class RequestStore:
    """Stores requests; every change after acceptance is made by the worker holding the lease."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.requests: AsyncCollection[Document] = db[REQUESTS]

    async def accept(self, command: RequestNumber, events: list[Event]) -> bool:
        """Stores a new request with its first events; False if it was accepted before."""
        now = utc_now()
        document: Document = {
            "_id": request_key(command.tenant_id, command.request_id),
            "tenant_id": command.tenant_id,
            "request_id": command.request_id,
            "command": command.model_dump(mode="json"),
            "status": str(Status.REQUESTED),
            "step": str(first_step(command)),
            "number": wanted_number(command),
            "attempts": 0,
            "due_at": now,
            "created_at": now,
            "updated_at": now,
            "outbox": {path.split(".", 1)[1]: e for path, e in outbox_fields(events).items()},
        }
        try:
            await self.requests.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def claim(self, key: str, owner: str, lease: float) -> Document | None:
        """Takes the lease of an unfinished request nobody else holds; returns it, or None."""
        now = utc_now()
        free = {"$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}]}
        return await self.requests.find_one_and_update(
            {"_id": key, "status": NOT_TERMINAL, **free},
            {"$set": {"lease_owner": owner, "lease_until": now + timedelta(seconds=lease)}},
            return_document=ReturnDocument.AFTER,
        )

    async def save(
        self, key: str, owner: str, fields: dict[str, Any], events: tuple[Event, ...] = ()
    ) -> Document | None:
        """Writes a change and its events together, if owner still holds the lease."""
        update = {**fields, **outbox_fields(events), "updated_at": utc_now()}
        return await self.requests.find_one_and_update(
            {"_id": key, "lease_owner": owner},
            {"$set": update},
            return_document=ReturnDocument.AFTER,
        )

    async def release(self, key: str, owner: str) -> None:
        """Gives the lease back."""
        await self.requests.update_one(
            {"_id": key, "lease_owner": owner}, {"$set": {"lease_until": None, "lease_owner": None}}
        )

    async def due(self, now: datetime, limit: int = 50) -> list[str]:
        """Returns unfinished requests whose next try is due."""
        query = {"status": NOT_TERMINAL, "due_at": {"$lte": now}}
        cursor = self.requests.find(query, {"_id": 1}).limit(limit)
        return [doc["_id"] async for doc in cursor]

    async def make_due(self, key: str) -> None:
        """Makes a request's next try due now (an order callback arrived)."""
        await self.requests.update_one({"_id": key}, {"$set": {"due_at": utc_now()}})

    async def get(self, tenant_id: str, request_id: str) -> Document | None:
        """Returns one of the tenant's requests."""
        key = request_key(tenant_id, request_id)
        return await self.requests.find_one({"_id": key, "tenant_id": tenant_id})

    async def order_ids(self, tenant_id: str) -> set[str]:
        """Returns the DIDWW order ids of every request of the tenant."""
        cursor = self.requests.find({"tenant_id": tenant_id}, {"order": 1})
        return {doc["order"]["id"] async for doc in cursor if doc.get("order")}


def is_finished(document: Document) -> bool:
    """Tells whether a request has reached a terminal status."""
    return Status(document["status"]) in TERMINAL or document["step"] == Step.DONE
