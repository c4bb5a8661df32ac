"""The audit log and the alerts feed in the audit service's own database."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from velo_runtime import IndexSpec

DUPLICATE_KEY = 11000
INDEXES = [
    IndexSpec("events", [("tenant_id", 1), ("occurred_at", -1), ("_id", -1)]),
    IndexSpec("events", [("tenant_id", 1), ("number", 1), ("occurred_at", -1), ("_id", -1)]),
    IndexSpec("events", [("tenant_id", 1), ("actor.user_id", 1), ("occurred_at", -1), ("_id", -1)]),
    IndexSpec("events", [("tenant_id", 1), ("type", 1), ("occurred_at", -1), ("_id", -1)]),
    IndexSpec("alerts", [("tenant_id", 1), ("recipient", 1), ("created_at", -1), ("_id", -1)]),
]


class BadCursor(ValueError):
    """A pagination cursor that this service did not issue."""


@dataclass(frozen=True)
class AuditQuery:
    """What an audit search filters on; always within one tenant."""

    tenant_id: str
    number: str | None = None
    actor: str | None = None
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def filter(self) -> dict[str, Any]:
        """Returns the MongoDB filter of this query."""
        query: dict[str, Any] = {"tenant_id": self.tenant_id}
        optional = {"number": self.number, "actor.user_id": self.actor, "type": self.type}
        query |= {field: value for field, value in optional.items() if value is not None}
        window = {"$gte": self.since, "$lt": self.until}
        if window := {op: value for op, value in window.items() if value is not None}:
            query["occurred_at"] = window
        return query


class AuditStore:
    """Stores every event once and answers tenant-scoped searches."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]):
        self.events = db["events"]
        self.alerts = db["alerts"]

    async def record(self, entries: list[dict[str, Any]]) -> int:
        """Inserts the entries not stored yet; returns how many were new."""
        if not entries:
            return 0
        try:
            result = await self.events.insert_many(entries, ordered=False)
            return len(result.inserted_ids)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != DUPLICATE_KEY for error in errors):
                raise
            return int(exc.details.get("nInserted", 0))

    async def record_alerts(self, alerts: Iterable[dict[str, Any]]) -> None:
        """Adds alerts to the feed; a redelivered alert keeps its read state."""
        for alert in alerts:
            await self.alerts.update_one(
                {"_id": alert["_id"]}, {"$setOnInsert": alert | {"read_by": []}}, upsert=True
            )

    async def page(
        self, query: AuditQuery, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Returns one page of matching entries, newest first, and the next page's cursor."""
        mongo = query.filter()
        if cursor:
            mongo = {"$and": [mongo, _after(cursor)]}
        found = self.events.find(mongo).sort([("occurred_at", DESCENDING), ("_id", DESCENDING)])
        items = await found.limit(limit + 1).to_list()
        more = len(items) > limit
        items = items[:limit]
        return items, _cursor(items[-1]) if more else None

    async def scan(self, query: AuditQuery) -> AsyncIterator[dict[str, Any]]:
        """Yields every matching entry, newest first (for exports)."""
        found = self.events.find(query.filter())
        async for entry in found.sort([("occurred_at", DESCENDING), ("_id", DESCENDING)]):
            yield entry

    async def alerts_of(self, tenant_id: str, user: str, unread_only: bool) -> list[dict[str, Any]]:
        """Returns the alerts meant for user (theirs and the tenant-wide ones), newest first."""
        query: dict[str, Any] = {"tenant_id": tenant_id, "recipient": {"$in": [user, None]}}
        if unread_only:
            query["read_by"] = {"$ne": user}
        found = self.alerts.find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        return await found.limit(500).to_list()

    async def mark_read(self, tenant_id: str, user: str, alert_id: str) -> bool:
        """Marks an alert read for user; tells whether the user can see such an alert."""
        result = await self.alerts.update_one(
            {"_id": alert_id, "tenant_id": tenant_id, "recipient": {"$in": [user, None]}},
            {"$addToSet": {"read_by": user}},
        )
        return result.matched_count == 1


def _cursor(entry: dict[str, Any]) -> str:
    position = {"t": entry["occurred_at"].isoformat(), "id": entry["_id"]}
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def _after(cursor: str) -> dict[str, Any]:
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        at = datetime.fromisoformat(position["t"]).astimezone(UTC)
        entry_id = str(position["id"])
    except (ValueError, KeyError, TypeError):
        raise BadCursor("cursor is not one this API issued") from None
    return {"$or": [{"occurred_at": {"$lt": at}}, {"occurred_at": at, "_id": {"$lt": entry_id}}]}
