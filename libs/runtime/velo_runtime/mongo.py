"""MongoDB through PyMongo's native async API, with each service's indexes declared in one place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


@dataclass(frozen=True)
class IndexSpec:
    """One index a service needs: created at start-up, idempotently."""

    collection: str
    keys: list[tuple[str, int]]
    unique: bool = False
    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def create_mongo_client(
    url: str, listeners: Sequence[monitoring.CommandListener] = ()
) -> AsyncMongoClient[Document]:
    """Returns a client that connects lazily (nothing is contacted until the first command)."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=5000,
        event_listeners=list(listeners),
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
