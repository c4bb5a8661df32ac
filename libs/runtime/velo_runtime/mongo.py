"""MongoDB through PyMongo's native async API, with each service's indexes declared in one place."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.results import DeleteResult, InsertOneResult, UpdateResult

Document = dict[str, Any]


@dataclass(frozen=True)
class IndexSpec:
    """One index a service needs: created at start-up, idempotently."""

    collection: str
    keys: list[tuple[str, int]]
    unique: bool = False
    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def create_mongo_client(url: str) -> AsyncMongoClient[Document]:
    """Returns a client that connects lazily (nothing is contacted until the first command)."""
    return AsyncMongoClient(
        url, tz_aware=True, uuidRepresentation="standard", serverSelectionTimeoutMS=5000
    )


async def ensure_indexes(db: AsyncDatabase[Document], specs: Iterable[IndexSpec]) -> None:
    """Creates the indexes that don't exist yet."""
    for spec in specs:
        options = dict(spec.options, unique=spec.unique)
        if spec.name:
            options["name"] = spec.name
        await db[spec.collection].create_index(spec.keys, **options)


async def ping(client: AsyncMongoClient[Document]) -> None:
    """Raises unless the database answers a ping."""
    await client.admin.command("ping")


class OneWriterPerDocument:
    """A collection whose writes to one document (by `_id`) never overlap within this process.

    FerretDB v1 applies an update by reading and rewriting the whole document without a lock, so
    two concurrent updates of one document can lose one of them, and two compare-and-set filters
    can both match (measured: most of 200 racing pairs). MongoDB needs none of this; here it costs
    one uncontended lock per write. Across processes, a document needs one owner (or a lease).
    """

    def __init__(self, collection: AsyncCollection[Document]):
        self.collection = collection
        self._locks: dict[Any, asyncio.Lock] = {}
        self._waiting: Counter[Any] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.collection, name)

    @asynccontextmanager
    async def _writing(self, document_id: Any) -> AsyncIterator[None]:
        lock = self._locks.setdefault(document_id, asyncio.Lock())
        self._waiting[document_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[document_id] -= 1
            if not self._waiting[document_id]:
                del self._waiting[document_id], self._locks[document_id]

    async def find_one(self, query: Document, *args: Any, **options: Any) -> Document | None:
        """Reads one document (reads need no lock)."""
        return await self.collection.find_one(query, *args, **options)

    async def insert_one(self, document: Document, **options: Any) -> InsertOneResult:
        """Inserts document (serialized with other writes to its `_id`)."""
        async with self._writing(document.get("_id")):
            return await self.collection.insert_one(document, **options)

    async def update_one(self, query: Document, update: Any, **options: Any) -> UpdateResult:
        """Updates the document named by the query's `_id`."""
        async with self._writing(query["_id"]):
            return await self.collection.update_one(query, update, **options)

    async def replace_one(
        self, query: Document, document: Document, **options: Any
    ) -> UpdateResult:
        """Replaces the document named by the query's `_id`."""
        async with self._writing(query["_id"]):
            return await self.collection.replace_one(query, document, **options)

    async def find_one_and_update(
        self, query: Document, update: Any, **options: Any
    ) -> Document | None:
        """Updates and returns the document named by the query's `_id`."""
        async with self._writing(query["_id"]):
            return await self.collection.find_one_and_update(query, update, **options)

    async def delete_one(self, query: Document, **options: Any) -> DeleteResult:
        """Deletes the document named by the query's `_id`."""
        async with self._writing(query["_id"]):
            return await self.collection.delete_one(query, **options)
