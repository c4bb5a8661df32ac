"""The requests collection: one document per request, holding its state, claim and outbox.

Every change after acceptance is made by the worker holding the request's claim (one DIDWW call
chain at a time, across instances), through the runtime's revision rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import ErrorCode, Event, RequestNumber, SubmitRegistration
from velo_contracts.envelope import utc_now
from velo_ordering.domain import (
    TERMINAL,
    Status,
    Step,
    first_step,
    second_body,
    wanted_number,
)
from velo_runtime import IndexSpec
from velo_runtime.claims import Claims
from velo_runtime.documents import Document, MongoDocuments, change
from velo_runtime.outbox import outbox_index, with_events

REQUESTS = "requests"
TERMINAL_STATUSES = frozenset(str(s) for s in TERMINAL)
NOT_TERMINAL = {"$nin": sorted(TERMINAL_STATUSES)}
INDEXES = [
    IndexSpec(REQUESTS, [("status", 1), ("due_at", 1)], name="due"),
    IndexSpec(REQUESTS, [("tenant_id", 1), ("order.id", 1)], name="tenant_order"),
    IndexSpec(REQUESTS, [("tenant_id", 1), ("number", 1), ("status", 1)], name="tenant_number"),
    IndexSpec(REQUESTS, [("tenant_id", 1), ("bulk_id", 1), ("bulk_index", 1)], name="tenant_bulk"),
    outbox_index(REQUESTS),
]


def request_key(tenant_id: str, request_id: str) -> str:
    """Returns the document id of a tenant's request (request ids are unique per tenant)."""
    return f"{tenant_id}/{request_id}"


class RequestStore:
    """Stores requests; every change after acceptance is made by the worker holding the claim."""

    def __init__(self, db: AsyncDatabase[Document], owner: str, claim_seconds: float) -> None:
        self.requests: AsyncCollection[Document] = db[REQUESTS]
        self.docs = MongoDocuments(self.requests)
        self.claims = Claims(self.docs, owner, claim_seconds)

    async def accept(
        self, command: RequestNumber, events: list[Event], bulk_index: int | None = None
    ) -> bool:
        """Stores a new request with its first events; False if it was accepted before.

        A bulk's child carries its bulk id and place in the bulk (its progress is read by them).
        """
        now = utc_now()
        document: Document = {
            "_id": request_key(command.tenant_id, command.request_id),
            "tenant_id": command.tenant_id,
            "request_id": command.request_id,
            "command": command.model_dump(mode="json"),
            "status": str(Status.REQUESTED),
            "step": str(first_step(command)),
            "number": wanted_number(command),
            "bulk_id": command.bulk_id,
            "bulk_index": bulk_index,
            "attempts": 0,
            "reserve_attempts": 0,
            "order_attempts": 0,
            "due_at": now,
            "created_at": now,
            "updated_at": now,
        }
        return await self.docs.create(with_events(document, events))

    async def repeated(self, key: str, command: RequestNumber) -> None:
        """Handles a request id seen before: a plain repeat changes nothing; another pick under
        the same id is not placed and its admin is alerted (with the stored request's events)."""

        def decide(stored: Document | None) -> Document | None:
            warning = second_body(stored, command) if stored else None
            # A redelivery raises it again under the same alert id: the feed keeps one.
            return None if stored is None or warning is None else with_events(stored, [warning])

        await change(self.docs, key, decide)

    async def claim(self, key: str) -> Document | None:
        """Claims an unfinished request nobody else works on; returns it, or None."""
        return await self.claims.take(key, when=lambda doc: doc["status"] not in TERMINAL_STATUSES)

    async def save(
        self, key: str, fields: dict[str, Any], events: tuple[Event, ...] = ()
    ) -> Document | None:
        """Writes a change and its events together, if this worker still holds the claim."""

        def decide(stored: Document | None) -> Document | None:
            if not self.claims.holds(stored):
                return None
            assert stored is not None
            changed = self.claims.extend(stored | fields | {"updated_at": utc_now()})
            return with_events(changed, events)

        written = await change(self.docs, key, decide)
        return written.document if written.changed else None

    async def release(self, key: str) -> None:
        """Gives the claim back."""
        await self.claims.give(key)

    async def routed(self, tenant_id: str, number: str, error: str | None = None) -> set[str]:
        """Follows PortSIP's answer on the tenant's approved requests of number; returns the
        bulks those requests belong to (their progress may have moved).

        Configured (error None) makes them active; a failure is noted (routing keeps retrying).
        """
        query = {"tenant_id": tenant_id, "number": number, "status": str(Status.APPROVED)}
        found = [doc async for doc in self.requests.find(query, {"_id": 1, "bulk_id": 1})]
        for doc in found:
            await change(self.docs, doc["_id"], _routing(error))
        return {doc["bulk_id"] for doc in found if doc.get("bulk_id")}

    async def correct(self, command: SubmitRegistration) -> str | None:
        """Moves the tenant's request of a number whose registration DIDWW rejected on to a new
        round with the command's documents; returns its key, or None if none waits for it."""
        query = {"tenant_id": command.tenant_id, "number": command.number}
        query["step"] = str(Step.CORRECTION)
        found = await self.requests.find_one(query, {"_id": 1})
        if found is None:
            return None

        def decide(stored: Document | None) -> Document | None:
            if stored is None or stored["step"] != Step.CORRECTION:
                return None
            return stored | {
                "kyc": command.kyc.model_dump(mode="json"),
                "registration_round": int(stored.get("registration_round", 1)) + 1,
                "register_attempts": 0,
                "step": str(Step.REGISTER),
                "due_at": utc_now(),
                "updated_at": utc_now(),
            }

        written = await change(self.docs, found["_id"], decide)
        return str(found["_id"]) if written.changed else None

    async def released_while_registering(self, tenant_id: str, number: str) -> None:
        """Ends the tenant's request of a number released before DIDWW approved its
        registration: nothing is left to file or follow for it."""
        query = {"tenant_id": tenant_id, "number": number, "status": str(Status.REGISTERING)}

        def decide(stored: Document | None) -> Document | None:
            if stored is None or stored["status"] != Status.REGISTERING:
                return None
            detail = "released before DIDWW approved its registration"
            return stored | {
                "status": str(Status.REJECTED),
                "step": str(Step.DONE),
                "reason": str(ErrorCode.ALREADY_RELEASED),
                "detail": detail,
                "updated_at": utc_now(),
            }

        async for found in self.requests.find(query, {"_id": 1}):
            await change(self.docs, found["_id"], decide)

    async def of_bulk(self, tenant_id: str, bulk_id: str) -> list[Document]:
        """Returns the stored children of a bulk, in bulk order (what its progress needs)."""
        query = {"tenant_id": tenant_id, "bulk_id": bulk_id}
        fields = dict.fromkeys(("request_id", "bulk_index", "status", "number", "reason"), 1)
        fields |= dict.fromkeys(("detail", "routing_error", "updated_at"), 1)
        cursor = self.requests.find(query, fields).sort("bulk_index", 1)
        return [doc async for doc in cursor]

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


def _routing(error: str | None) -> Any:
    def decide(stored: Document | None) -> Document | None:
        if stored is None or stored["status"] != Status.APPROVED:
            return None
        if error is not None:
            return stored | {"routing_error": error, "updated_at": utc_now()}
        done = {"status": str(Status.ACTIVE), "routing_error": None, "active_at": utc_now()}
        return stored | done | {"updated_at": utc_now()}

    return decide


def is_finished(document: Document) -> bool:
    """Tells whether a request has reached a terminal status."""
    return Status(document["status"]) in TERMINAL or document["step"] == Step.DONE
