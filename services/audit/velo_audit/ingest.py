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


def dead_letter_alert(entry: dict[str, Any]) -> dict[str, Any]:
    """Returns the alerts-feed document telling a tenant's admins a message was set aside."""
    dead = entry["dead_letter"] or {}
    what = entry["type"] if entry["type"] != "unparseable" else "A message"
    who = entry["actor"].get("user_id") if entry["actor"].get("role") == "admin" else None
    return {
        "_id": entry["_id"],
        "tenant_id": entry["tenant_id"],
        "created_at": entry["recorded_at"],
        "recipient": who,
        "severity": "critical",
        "code": "dead_lettered",
        "title": f"{what} could not be processed and was set aside",
        "detail": (
            f"{what} on {dead.get('original-topic') or entry['topic']} failed "
            f"{dead.get('attempts', '?')} times ({dead.get('error', 'no error recorded')}); "
            "operators can replay it once the cause is fixed."
        ),
        "number": entry["number"],
        "request_id": entry["request_id"],
        "requirement": None,
    }


async def _raw(message: StreamMessage[Any]) -> Any:
    return None  # the handler reads raw records: DLQ payloads need not be JSON


def ingest_router(
    store: AuditStore, group_id: str, batch_size: int, counter: Counter, dead_letters: Counter
) -> KafkaRouter:
    """Returns the router storing every record of every velo topic exactly once.

    A dead-lettered copy is its own entry (linked to the original by `message_id`), alerts the
    tenant's admins (the admin who sent it, when it was a command) and is counted per DLQ topic.
    """
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
        dead = [e for e in entries if e["dead_letter"] is not None and e["tenant_id"]]
        await store.record_alerts(dead_letter_alert(e) for e in dead)
        for entry in dead:
            dead_letters.labels(entry["topic"]).inc()
        counter.inc(stored)
        log.debug("audit_batch_stored", received=len(entries), new=stored)

    return router
