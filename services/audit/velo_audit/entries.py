"""Turns any record of any topic into one audit entry — even a record that is not valid JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord

from velo_contracts.tenants import without_secrets
from velo_contracts.topics import DLQ_SUFFIX
from velo_runtime.deadletters import REPLAY_OF

SEALED_IN_AUDIT = "[sealed secret, not stored]"


def to_entry(record: ConsumerRecord[Any, Any], recorded_at: datetime) -> dict[str, Any]:
    """Returns the audit document of a record, identified by its message id (stored once)."""
    payload = _payload(record.value)
    headers = {name: value.decode(errors="replace") for name, value in record.headers or ()}
    actor = _section(payload, "actor")
    dead_letter = _dead_letter(record.topic, headers)
    message_id = payload.get("message_id") or headers.get("velo-message-id")
    if dead_letter is not None:  # its own entry, beside the original's (same message id)
        entry_id = f"dead-letter:{message_id or _position_id(record)}"
        if message_id and REPLAY_OF in headers:  # parked again after a replay: each park counts
            entry_id += f":{record.partition}-{record.offset}"
    else:
        entry_id = message_id or _position_id(record)
    return {
        "_id": entry_id,
        "message_id": message_id,
        "tenant_id": payload.get("tenant_id") or headers.get("velo-tenant-id"),
        "type": payload.get("type") or headers.get("velo-type") or "unparseable",
        "actor": {"user_id": actor.get("user_id"), "role": actor.get("role")},
        "number": payload.get("number") or _pick_number(payload),
        "occurred_at": _occurred_at(payload, record),
        "recorded_at": recorded_at,
        "correlation_id": payload.get("correlation_id"),
        "causation_id": payload.get("causation_id"),
        "request_id": payload.get("request_id"),
        "cost": _cost(payload),
        "topic": record.topic,
        "dead_letter": dead_letter,
        "payload": without_secrets(payload, SEALED_IN_AUDIT),  # present, never stored sealed
    }


def _payload(value: bytes | None) -> dict[str, Any]:
    try:
        data = json.loads(value or b"")
    except (ValueError, UnicodeDecodeError):
        return {"raw": (value or b"").decode(errors="replace")[:4000]}
    return data if isinstance(data, dict) else {"raw": data}


def _section(payload: dict[str, Any], name: str) -> dict[str, Any]:
    value = payload.get(name)
    return value if isinstance(value, dict) else {}


def _position_id(record: ConsumerRecord[Any, Any]) -> str:
    return f"{record.topic}/{record.partition}/{record.offset}"


def _pick_number(payload: dict[str, Any]) -> str | None:
    pick = payload.get("pick")
    return pick.get("number") if isinstance(pick, dict) else None


def _occurred_at(payload: dict[str, Any], record: ConsumerRecord[Any, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(payload["occurred_at"])).astimezone(UTC)
    except (KeyError, ValueError):
        return datetime.fromtimestamp(record.timestamp / 1000, UTC)


def _cost(payload: dict[str, Any]) -> dict[str, str] | None:
    facts = _section(payload, "facts")
    cost = {
        "amount": payload.get("amount"),
        "currency": payload.get("currency") or facts.get("currency"),
        "setup_price": facts.get("setup_price"),
        "monthly_price": facts.get("monthly_price"),
    }
    if cost["amount"] is None and cost["monthly_price"] is None:
        return None
    return {key: str(value) for key, value in cost.items() if value is not None}


def _dead_letter(topic: str, headers: dict[str, str]) -> dict[str, str] | None:
    if not topic.endswith(DLQ_SUFFIX):
        return None
    return {
        name.removeprefix("x-dlq-"): value
        for name, value in headers.items()
        if name.startswith("x-dlq-")
    }
