"""The one concurrency rule of every store: documents change by revision-guarded writes.

A change is load → decide → write, where the write only lands if the document still has the
revision (`rev`) that was read; a writer that lost the race reads again and decides again. A new
document is a unique insert on its `_id`: the first writer wins. These two guarantees are what
MongoDB promises for one document (and what the local engine keeps), so the rule holds with any
number of instances of a service, with no lock inside a process.

`MongoDocuments` is the real adapter; `MemoryDocuments` is the fake for fast tests and refuses
the same races (a stale revision, a second insert of an `_id`). Both pass one contract suite.
"""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]
REV = "rev"
Decide = Callable[[Document | None], Document | None]
"""Given the stored document (a copy, or None if there is none), returns the whole new
document, or None to leave it as it is."""


class Conflict(RuntimeError):
    """A document kept changing under a writer for every attempt; the caller retries later."""


class Documents(Protocol):
    """Documents of one collection, written only under the rule."""

    async def load(self, doc_id: str) -> Document | None:
        """Returns the stored document with its revision, or None."""

    async def create(self, document: Document) -> bool:
        """Inserts a document at revision 1; False if one with its `_id` exists."""

    async def replace(self, document: Document, rev: int) -> bool:
        """Writes the document at rev + 1 if the stored one is still at rev; tells whether."""


@dataclass(frozen=True)
class Written:
    """What a change left: the document as stored and whether this change wrote it."""

    document: Document | None
    changed: bool


async def change(docs: Documents, doc_id: str, decide: Decide, *, attempts: int = 25) -> Written:
    """Applies decide to the document until its guarded write lands (or decide declines)."""
    for attempt in range(attempts):
        stored = await docs.load(doc_id)
        wanted = decide(copy.deepcopy(stored))
        if wanted is None:
            return Written(stored, False)
        wanted = {**wanted, "_id": doc_id}
        if illegal := [name for name in wanted if "." in name or name.startswith("$")]:
            raise ValueError(
                f"{illegal} cannot be field names: a change writes whole documents, where a "
                "dotted name is no path (set the whole field instead)"
            )
        if stored is None:
            if await docs.create(wanted):
                return Written(wanted | {REV: 1}, True)
        elif await docs.replace(wanted, stored[REV]):
            return Written(wanted | {REV: stored[REV] + 1}, True)
        await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 - jitter
    raise Conflict(f"{doc_id} kept changing; try again")


class MongoDocuments:
    """Documents of a MongoDB collection."""

    def __init__(self, collection: AsyncCollection[Document]):
        self.collection = collection

    async def load(self, doc_id: str) -> Document | None:
        """Returns the stored document with its revision, or None."""
        return await self.collection.find_one({"_id": doc_id})

    async def create(self, document: Document) -> bool:
        """Inserts a document at revision 1; False if one with its `_id` exists."""
        try:
            await self.collection.insert_one({**document, REV: 1})
        except DuplicateKeyError:
            return False
        return True

    async def replace(self, document: Document, rev: int) -> bool:
        """Writes the document at rev + 1 if the stored one is still at rev; tells whether."""
        result = await self.collection.replace_one(
            {"_id": document["_id"], REV: rev}, {**document, REV: rev + 1}
        )
        return result.modified_count == 1


class MemoryDocuments:
    """Documents held in memory, refusing the races MongoDB refuses (for fast tests)."""

    def __init__(self) -> None:
        self.stored: dict[str, Document] = {}

    async def load(self, doc_id: str) -> Document | None:
        """Returns a copy of the stored document, or None."""
        await asyncio.sleep(0)  # let racing writers interleave, as over a network
        found = self.stored.get(doc_id)
        return copy.deepcopy(found) if found is not None else None

    async def create(self, document: Document) -> bool:
        """Inserts a document at revision 1; False if one with its `_id` exists."""
        await asyncio.sleep(0)
        if document["_id"] in self.stored:
            return False
        self.stored[document["_id"]] = copy.deepcopy({**document, REV: 1})
        return True

    async def replace(self, document: Document, rev: int) -> bool:
        """Writes the document at rev + 1 if the stored one is still at rev; tells whether."""
        await asyncio.sleep(0)
        found = self.stored.get(document["_id"])
        if found is None or found[REV] != rev:
            return False
        self.stored[document["_id"]] = copy.deepcopy({**document, REV: rev + 1})
        return True
