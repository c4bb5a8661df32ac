"""The requests collection: one document per request, holding its state, lease and outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from velo_contracts import Event, RequestNumber
from velo_contracts.envelope import utc_now
from velo_ordering.domain import TERMINAL, Status, Step, first_step, wanted_number
from velo_ordering.leases import Leases
from velo_ordering.outbox import outbox_fields
from velo_runtime import IndexSpec

Document = dict[str, Any]
REQUESTS = "requests"
NOT_TERMINAL = {"$nin": [str(s) for s in TERMINAL]}
INDEXES = [
    IndexSpec(REQUESTS, [("status", 1), ("due_at", 1)], name="due"),
    IndexSpec(REQUESTS, [("tenant_id", 1), ("order.id", 1)], name="tenant_order"),
]


def lease_key(key: str) -> str:
    """Returns the lease key of a request document."""
    return f"{REQUESTS}:{key}"


def request_key(tenant_id: str, request_id: str) -> str:
    """Returns the document id of a tenant's request (request ids are unique per tenant)."""
    return f"{tenant_id}/{request_id}"


class RequestStore:
    """Stores requests; every change after acceptance is made by the worker holding the lease."""

    def __init__(self, db: AsyncDatabase[Document], leases: Leases) -> None:
        self.requests: AsyncCollection[Document] = db[REQUESTS]
        self.leases = leases

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

    async def claim(self, key: str) -> Document | None:
        """Takes the lease of an unfinished request nobody else holds; returns it, or None."""
        if not await self.leases.take(lease_key(key)):
            return None
        document = await self.requests.find_one({"_id": key, "status": NOT_TERMINAL})
        if document is None:
            await self.release(key)
        return document

    async def save(
        self, key: str, fields: dict[str, Any], events: tuple[Event, ...] = ()
    ) -> Document | None:
        """Writes a change and its events together, if this worker still holds the lease."""
        if not await self.leases.holds(lease_key(key)):
            return None
        update = {**fields, **outbox_fields(events), "updated_at": utc_now()}
        return await self.requests.find_one_and_update(
            {"_id": key}, {"$set": update}, return_document=ReturnDocument.AFTER
        )

    async def release(self, key: str) -> None:
        """Gives the lease back."""
        await self.leases.give(lease_key(key))

    async def due(self, now: datetime, limit: int = 50) -> list[str]:
        """Returns unfinished requests whose next try is due."""
        query = {"status": NOT_TERMINAL, "due_at": {"$lte": now}}
        cursor = self.requests.find(query, {"_id": 1}).limit(limit)
        return [doc["_id"] async for doc in cursor]

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
