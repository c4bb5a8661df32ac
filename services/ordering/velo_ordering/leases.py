"""Short exclusive leases: at most one writer per document at a time.

FerretDB v1 applies an update by reading and rewriting the whole document, so two concurrent
updates of one document can lose one of them. Every writer of a request or number therefore
holds that document's lease; a lease is a document whose unique `_id` lets only one insert win.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from velo_contracts.envelope import utc_now

LEASES = "leases"


class LeaseBusy(Exception):
    """Another worker kept the document's lease for too long; try again later."""


class Leases:
    """Takes and gives back leases on keys, expiring after their time (a crashed holder)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], owner: str, seconds: float) -> None:
        self.leases: AsyncCollection[dict[str, Any]] = db[LEASES]
        self.owner = owner
        self.seconds = seconds

    async def take(self, key: str) -> bool:
        """Takes the lease of key unless someone holds it; tells whether it was taken."""
        now = utc_now()
        stale = await self.leases.find_one({"_id": key, "until": {"$lt": now}})
        if stale is not None:
            await self.leases.delete_one(
                {"_id": key, "owner": stale["owner"], "until": stale["until"]}
            )
        try:
            until = now + timedelta(seconds=self.seconds)
            await self.leases.insert_one({"_id": key, "owner": self.owner, "until": until})
        except DuplicateKeyError:
            return False
        return True

    async def holds(self, key: str) -> bool:
        """Tells whether this owner still holds the lease of key."""
        return await self.leases.find_one({"_id": key, "owner": self.owner}) is not None

    async def give(self, key: str) -> None:
        """Gives the lease of key back."""
        await self.leases.delete_one({"_id": key, "owner": self.owner})

    @asynccontextmanager
    async def held(self, key: str, patience: float = 5.0) -> AsyncIterator[None]:
        """Holds the lease of key for the block, waiting up to patience seconds for it."""
        waited = 0.0
        while not await self.take(key):
            if waited >= patience:
                raise LeaseBusy(key)
            await asyncio.sleep(0.05)
            waited += 0.05
        try:
            yield
        finally:
            await self.give(key)
