"""Consumes every topic (DLQs included) in batches; offsets are committed after the write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaRouter
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from prometheus_client import Counter

from velo_audit.entries import to_entry
from velo_audit.store import AuditStore
from velo_runtime import consumes, get_logger

log = get_logger(__name__)
ALL_VELO_TOPICS = r"velo\..*"


def alert_of(entry: dict[str, Any]) -> dict[str, Any]:
    """Returns the alerts-feed document of an AdminAlertRaised entry."""
    payload = entry["payload"]
    fields = ("recipient", "severity", "code", "title", "detail", "number", "request_id")
    return {
        "_id": payload["alert_id"],
        "tenant_id": entry["tenant_id"],
        "created_at": entry["occurred_at"],
        "requirement": payload.get("requirement"),
        **{field: payload.get(field) for field in fields},
    }


async def _raw(message: StreamMessage[Any]) -> Any:
    return None  # the handler reads raw records: DLQ payloads need not be JSON


def ingest_router(
    store: AuditStore, group_id: str, batch_size: int, counter: Counter
) -> KafkaRouter:
    """Returns the router storing every record of every velo topic exactly once."""
    router = KafkaRouter()

    @consumes(
        router,
        pattern=ALL_VELO_TOPICS,
        group_id=group_id,
        batch=True,
        max_records=batch_size,
        decoder=_raw,
    )
    async def on_any_record(message: KafkaMessage) -> None:
        now = datetime.now(UTC)
        entries = [to_entry(record, now) for record in message.raw_message]
        stored = await store.record(entries)
        await store.record_alerts(alert_of(e) for e in entries if e["type"] == "AdminAlertRaised")
        counter.inc(stored)
        log.debug("audit_batch_stored", received=len(entries), new=stored)

    return router
