"""The bulks collection: one document per bulk (its command, the outcomes it announced, its
outbox), the expansion into child requests, and the progress that follows them.

Expanding is: store the bulk (unique insert: the first command under a bulk id wins), then
store each child of the *stored* command first-writer-wins, then mark the bulk expanded. Any
step may be cut short by a crash; doing it all again (the redelivered command, or the recovery
pass) only adds the children still missing. Progress is announced from the children's states
after each child's work and by the recovery pass, never from counters kept on the side.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import RequestNumbers
from velo_contracts.envelope import utc_now
from velo_ordering import bulk, domain
from velo_ordering.store import RequestStore, request_key
from velo_runtime import IndexSpec, get_logger
from velo_runtime.documents import Document, MongoDocuments, change
from velo_runtime.outbox import OutboxRelay, outbox_index, with_events

BULKS = "bulks"
INDEXES = [IndexSpec(BULKS, [("finished", 1)], name="unfinished"), outbox_index(BULKS)]
log = get_logger(__name__)


class BulkStore:
    """Stores bulks and expands each into its child requests."""

    def __init__(self, db: AsyncDatabase[Document], requests: RequestStore) -> None:
        self.bulks: AsyncCollection[Document] = db[BULKS]
        self.docs = MongoDocuments(self.bulks)
        self.requests = requests

    async def accept(self, command: RequestNumbers) -> bool:
        """Stores a new bulk with its `BulkRequested`; False if the bulk id was taken before."""
        now = utc_now()
        document: Document = {
            "_id": request_key(command.tenant_id, command.bulk_id),
            "tenant_id": command.tenant_id,
            "bulk_id": command.bulk_id,
            "command": command.model_dump(mode="json"),
            "total": len(command.picks),
            "expanded": False,
            "finished": False,
            "outcomes": {},
            "done": 0,
            "failed": 0,
            "created_at": now,
            "updated_at": now,
        }
        return await self.docs.create(with_events(document, [bulk.requested(command)]))

    async def repeated(self, command: RequestNumbers) -> None:
        """A plain repeat changes nothing; other picks under the same id alert its admin."""

        def decide(stored: Document | None) -> Document | None:
            warning = bulk.second_body(stored, command) if stored else None
            return None if stored is None or warning is None else with_events(stored, [warning])

        await change(self.docs, request_key(command.tenant_id, command.bulk_id), decide)

    async def expand(self, key: str) -> list[str]:
        """Stores every missing child of the stored bulk; returns the keys of all its children."""
        stored = await self.docs.load(key)
        if stored is None:
            return []
        command = RequestNumbers.model_validate(stored["command"])
        kids = bulk.children(command)
        if not stored.get("expanded"):
            for index, kid in enumerate(kids):
                await self.requests.accept(kid, [domain.requested(kid)], bulk_index=index)
            await change(self.docs, key, _expanded)
        return [request_key(kid.tenant_id, kid.request_id) for kid in kids]

    async def get(self, tenant_id: str, bulk_id: str) -> Document | None:
        """Returns one of the tenant's bulks."""
        key = request_key(tenant_id, bulk_id)
        return await self.bulks.find_one({"_id": key, "tenant_id": tenant_id})

    async def announce(self, key: str) -> None:
        """Records the outcomes of the bulk's children not yet announced, with their events."""
        stored = await self.docs.load(key)
        if stored is None or stored.get("finished"):
            return
        kids = await self.requests.of_bulk(stored["tenant_id"], stored["bulk_id"])
        await change(self.docs, key, lambda current: bulk.announce(current, kids))

    async def unfinished(self, limit: int = 50) -> list[str]:
        """Returns bulks with numbers still on their way (for the recovery pass)."""
        cursor = self.bulks.find({"finished": False}, {"_id": 1}).limit(limit)
        return [doc["_id"] async for doc in cursor]


def _expanded(stored: Document | None) -> Document | None:
    if stored is None or stored.get("expanded"):
        return None
    return stored | {"expanded": True, "updated_at": utc_now()}


class BulkProgress:
    """Announces a bulk's progress after its children move; one pass per bulk at a time here,
    and a poke during a pass makes one more pass (so no child's outcome waits for the timer)."""

    def __init__(self, store: BulkStore, relay: OutboxRelay) -> None:
        self.store, self.relay = store, relay
        self._running: set[str] = set()
        self._again: set[str] = set()

    async def poke(self, key: str) -> None:
        """Announces what is new in the bulk at key (now, or right after the pass running)."""
        if key in self._running:
            self._again.add(key)
            return
        self._running.add(key)
        try:
            while True:
                self._again.discard(key)
                await self.store.announce(key)
                await self.relay.relay(key)
                if key not in self._again:
                    return
        finally:
            self._running.discard(key)

    async def poke_child(self, document: Document | None) -> None:
        """Announces the progress of the bulk a request belongs to, once the request ended (a
        step on its way changes no count; the recovery pass catches anything missed)."""
        if document and document.get("bulk_id") and bulk.outcome_of(document) is not None:
            await self.poke(request_key(document["tenant_id"], document["bulk_id"]))


def bulk_recovery(
    store: BulkStore, progress: BulkProgress, resume: Callable[[str], Any]
) -> Callable[[], Awaitable[None]]:
    """Returns one recovery pass over unfinished bulks: finish expanding (a crash may have cut
    it short with no redelivery coming), resume their children, announce their progress."""

    async def recover() -> None:
        for key in await store.unfinished():
            stored = await store.docs.load(key)
            if stored is not None and not stored.get("expanded"):
                for child in await store.expand(key):
                    resume(child)
            await progress.poke(key)

    return recover
