"""Where the shared DIDWW schedules live: one document per key, booked by one atomic update.

Booking is "take the next free slot within [earliest, latest], or say how far ahead the key is
booked", done by the database in one `find_one_and_update` (`$inc` / `$set` under a filter on
`next_free`), not by load → decide → guarded replace: one round trip, no retry loop whatever the
contention, and nothing rests on a read of the whole document being consistent — which the local
engine does not always give while the document is being written (measured: a `find_one` racing a
guarded `replace_one` returned the new `rev` with the old fields, so two processes booked one slot).

`MongoScheduleStore` is the real adapter; `MemoryScheduleStore` the fake for fast tests. Both pass
one contract suite (`tests/didww/test_budget_engine.py`).
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Protocol

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]
Caller = tuple[str, float]
"""Who books, and when (noted in the schedule: how many processes share the key)."""
ATTEMPTS = 8


class BookingConflict(RuntimeError):
    """The schedule kept changing under every attempt to book (the caller falls back)."""


@dataclass(frozen=True)
class Booking:
    """What a booking found: the slot taken (None: beyond `latest`) and the schedule after it."""

    slot: float | None
    next_free: float
    callers: dict[str, float] = field(default_factory=dict)


class ScheduleStore(Protocol):
    """The schedules of DIDWW keys, each changed only atomically."""

    async def book(
        self,
        doc_id: str,
        earliest: float,
        latest: float,
        interval: float,
        caller: tuple[str, float],
    ) -> Booking:
        """Takes slot max(next_free, earliest) if it is ≤ latest (moving next_free on by
        interval, noting the caller as seen); else takes nothing and tells next_free."""

    async def push(self, doc_id: str, until: float) -> bool:
        """Moves next_free to until if it is earlier; tells whether it moved."""


class MongoScheduleStore:
    """Schedules in a MongoDB collection."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def book(
        self,
        doc_id: str,
        earliest: float,
        latest: float,
        interval: float,
        caller: tuple[str, float],
    ) -> Booking:
        """Takes the next slot within [earliest, latest], or tells how far ahead the key is."""
        seen = {f"callers.{caller[0]}": caller[1]}
        for _ in range(ATTEMPTS):
            busy = await self._take(
                {"_id": doc_id, "next_free": {"$gt": earliest, "$lte": latest}},
                {"$inc": {"next_free": interval}, "$set": seen},
            )
            if busy is not None:
                return _booked(busy["next_free"], interval, busy)
            idle = await self._take(
                {"_id": doc_id, "next_free": {"$lte": earliest}},
                {"$set": {"next_free": earliest + interval, **seen}},
            )
            if idle is not None:
                return _booked(earliest, interval, idle)
            stored = await self.collection.find_one({"_id": doc_id})
            if stored is None:
                await self._create(doc_id)
            elif float(stored["next_free"]) > latest:
                return Booking(None, float(stored["next_free"]), stored.get("callers") or {})
        raise BookingConflict(f"{doc_id} kept changing")  # never seen: 8 misses in a row

    async def push(self, doc_id: str, until: float) -> bool:
        """Moves next_free to until if it is earlier; tells whether it moved."""
        await self._create(doc_id)
        pushed = await self.collection.update_one(
            {"_id": doc_id, "next_free": {"$lt": until}},
            {"$set": {"next_free": until}, "$inc": {"backoffs": 1}},
        )
        return pushed.modified_count == 1

    async def _take(self, query: Document, update: Document) -> Document | None:
        return await self.collection.find_one_and_update(
            query, update, return_document=ReturnDocument.BEFORE
        )

    async def _create(self, doc_id: str) -> None:
        with suppress(DuplicateKeyError):  # another process made it first: the same empty one
            await self.collection.insert_one(
                {"_id": doc_id, "next_free": 0.0, "callers": {}, "backoffs": 0}
            )


def _booked(slot: float, interval: float, before: Document) -> Booking:
    return Booking(slot, slot + interval, before.get("callers") or {})


class MemoryScheduleStore:
    """Schedules held in memory, booked with the same rule (for fast tests)."""

    def __init__(self) -> None:
        self.stored: dict[str, Document] = {}

    async def book(
        self,
        doc_id: str,
        earliest: float,
        latest: float,
        interval: float,
        caller: tuple[str, float],
    ) -> Booking:
        """Takes the next slot within [earliest, latest], or tells how far ahead the key is."""
        await asyncio.sleep(0)  # let racing callers interleave, as over a network
        doc = self.stored.setdefault(doc_id, {"next_free": 0.0, "callers": {}, "backoffs": 0})
        start = max(doc["next_free"], earliest)
        if start > latest:
            return Booking(None, doc["next_free"], dict(doc["callers"]))
        callers = dict(doc["callers"])
        doc["next_free"] = start + interval
        doc["callers"][caller[0]] = caller[1]
        return Booking(start, start + interval, callers)

    async def push(self, doc_id: str, until: float) -> bool:
        """Moves next_free to until if it is earlier; tells whether it moved."""
        await asyncio.sleep(0)
        doc = self.stored.setdefault(doc_id, {"next_free": 0.0, "callers": {}, "backoffs": 0})
        if doc["next_free"] >= until:
            return False
        doc["next_free"], doc["backoffs"] = until, doc["backoffs"] + 1
        return True
