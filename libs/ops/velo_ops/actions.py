"""The operators' actions on dead letters, one document each in MongoDB (`dead_letter_actions`).

An action is a unique insert on the dead letter's coordinate — the first operator wins, the others
are told who came first — and then moves on by revision-guarded writes (`velo_runtime.documents`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from pymongo.asynchronous.collection import AsyncCollection

from velo_ops.domain import Action, AlreadyHandled, Kind, Refused
from velo_runtime.documents import Document, Documents, MemoryDocuments, MongoDocuments, change

COLLECTION = "dead_letter_actions"
PUBLISHING = "publishing"
"""State of an action whose publications are not confirmed yet."""
DONE = {Kind.REPLAY: "replayed", Kind.DISCARD: "discarded"}
"""State of a finished action, by kind."""


class ActionDocuments(Documents, Protocol):
    """Action documents: written under the rule, and read many at once for `list`."""

    async def load_many(self, ids: Iterable[str]) -> list[Document]:
        """Returns the stored documents among ids."""


class MongoActionDocuments(MongoDocuments):
    """Action documents in a MongoDB collection."""

    def __init__(self, collection: AsyncCollection[Document]):
        super().__init__(collection)

    async def load_many(self, ids: Iterable[str]) -> list[Document]:
        """Returns the stored documents among ids (one query on `_id`)."""
        return await self.collection.find({"_id": {"$in": list(ids)}}).to_list()


class MemoryActionDocuments(MemoryDocuments):
    """Action documents in memory (for fast tests)."""

    async def load_many(self, ids: Iterable[str]) -> list[Document]:
        """Returns copies of the stored documents among ids."""
        found = [await self.load(doc_id) for doc_id in ids]
        return [doc for doc in found if doc is not None]


class ActionLog:
    """Begins, resumes and finishes operators' actions; the first one per dead letter wins."""

    def __init__(self, docs: ActionDocuments):
        self.docs = docs

    async def begin(self, action: Action) -> Action:
        """Records action as under way; raises AlreadyHandled naming whoever came first."""
        if await self.docs.create(_document(action)):
            return action
        stored = await self.docs.load(action.dead_letter)
        if stored is None:  # can't be: actions are never deleted
            raise Refused(f"{action.dead_letter}: its action vanished; try again")
        raise AlreadyHandled(_action(stored))

    async def get(self, dead_letter: str) -> Action | None:
        """Returns the action on a dead letter, if any."""
        stored = await self.docs.load(dead_letter)
        return _action(stored) if stored else None

    async def of(self, dead_letters: Iterable[str]) -> dict[str, Action]:
        """Returns the actions on the given dead letters, by dead letter."""
        return {doc["_id"]: _action(doc) for doc in await self.docs.load_many(dead_letters)}

    async def resume(self, dead_letter: str, kind: Kind, by: str) -> Action:
        """Takes up an unconfirmed action again; refuses a finished one, or one being resumed."""
        found = await self.get(dead_letter)
        if found is None or found.kind is not kind:
            raise Refused(f"{dead_letter}: no unconfirmed {kind} to resume")
        if found.done_at:
            raise AlreadyHandled(found)
        taken = found.resumed(by)

        def decide(stored: Document | None) -> Document | None:
            if stored is None or stored.get("attempts") != found.attempts:
                return None  # another operator resumed it meanwhile
            return _document(taken)

        if not (await change(self.docs, dead_letter, decide)).changed:
            raise Refused(f"{dead_letter}: another operator is resuming it")
        return taken

    async def sent(self, action: Action, at: datetime) -> Action:
        """Records that the replay was published (a resume then only announces it)."""
        return await self._write(action, sent_at=at)

    async def finish(self, action: Action, at: datetime) -> Action:
        """Marks the action done: replayed or discarded, and announced."""
        return await self._write(action, done_at=at)

    async def _write(self, action: Action, **changes: Any) -> Action:
        updated = _action({**_document(action), **changes})

        def decide(stored: Document | None) -> Document | None:
            return _document(updated) if stored and not stored.get("done_at") else None

        await change(self.docs, action.dead_letter, decide)
        return updated


def _document(action: Action) -> Document:
    return {
        "_id": action.dead_letter,
        "kind": str(action.kind),
        "state": DONE[action.kind] if action.done_at else PUBLISHING,
        "by": action.by,
        "at": action.at,
        "reason": action.reason,
        "sent_at": action.sent_at,
        "done_at": action.done_at,
        "attempts": action.attempts,
        "resumed_by": action.resumed_by,
    }


def _action(doc: Document) -> Action:
    return Action(
        dead_letter=doc["_id"],
        kind=Kind(doc["kind"]),
        by=doc["by"],
        at=doc["at"],
        reason=doc.get("reason"),
        sent_at=doc.get("sent_at"),
        done_at=doc.get("done_at"),
        attempts=doc.get("attempts", 1),
        resumed_by=doc.get("resumed_by"),
    )
