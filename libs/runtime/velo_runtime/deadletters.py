"""The dead-letter format in one place: the headers a parked record carries, and reading them back.

A parked record is the original record unchanged — value, key and headers — published to
`<topic>.dlq` with the `x-dlq-*` headers below added. `DeadLetterPolicy` writes them with
`dead_letter_headers`; `DeadLetter.from_record` reads a parked record back (audit, `velo-dlq`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord

from velo_contracts.topics import DLQ_SUFFIX

DLQ_HEADER_PREFIX = "x-dlq-"
ORIGINAL_TOPIC = "x-dlq-original-topic"
ORIGINAL_PARTITION = "x-dlq-original-partition"
ORIGINAL_OFFSET = "x-dlq-original-offset"
ERROR_TYPE = "x-dlq-error-type"
ERROR = "x-dlq-error"
ATTEMPTS = "x-dlq-attempts"
FAILED_AT = "x-dlq-failed-at"
ERROR_LIMIT = 2000
"""Longest error text a dead letter keeps (characters)."""

REPLAYED_BY = "velo-replayed-by"
"""Header of a replayed record: the operator who replayed it."""
REPLAY_OF = "velo-replay-of"
"""Header of a replayed record: the coordinate of the dead letter it was replayed from."""

MESSAGE_ID = "velo-message-id"
TENANT_ID = "velo-tenant-id"
TYPE = "velo-type"
NUMBER = "velo-number"
CORRELATION_ID = "velo-correlation-id"

Headers = tuple[tuple[str, bytes], ...]


def coordinate(topic: str, partition: int, offset: int) -> str:
    """Returns the id of a record by its position: `<topic>/<partition>/<offset>`."""
    return f"{topic}/{partition}/{offset}"


def dead_letter_headers(
    record: ConsumerRecord[Any, Any],
    error: BaseException,
    attempts: int,
    failed_at: datetime | None = None,
) -> dict[str, str]:
    """Returns the headers of record's dead letter: its own, then where it came from and why."""
    headers = {
        name: value.decode(errors="replace")
        for name, value in record.headers or ()
        if not name.startswith(DLQ_HEADER_PREFIX)
    }
    headers.update(
        {
            ORIGINAL_TOPIC: record.topic,
            ORIGINAL_PARTITION: str(record.partition),
            ORIGINAL_OFFSET: str(record.offset),
            ERROR_TYPE: type(error).__name__,
            ERROR: str(error)[:ERROR_LIMIT],
            ATTEMPTS: str(attempts),
            FAILED_AT: (failed_at or datetime.now(UTC)).isoformat(),
        }
    )
    return headers


@dataclass(frozen=True)
class DeadLetter:
    """One parked record: where it sits, where it came from, why it failed, and what it was."""

    dlq_topic: str
    dlq_partition: int
    dlq_offset: int
    original_topic: str
    original_partition: int | None
    original_offset: int | None
    key: bytes | None
    value: bytes | None
    headers: Headers
    error_type: str
    error: str
    attempts: int | None
    failed_at: datetime | None
    message_id: str | None
    tenant_id: str | None
    message_type: str | None
    number: str | None = None
    correlation_id: str | None = None
    replay_of: str | None = None

    @property
    def id(self) -> str:
        """The dead letter's coordinate in its DLQ: `<dlq topic>/<partition>/<offset>`."""
        return coordinate(self.dlq_topic, self.dlq_partition, self.dlq_offset)

    @classmethod
    def from_record(cls, record: ConsumerRecord[Any, Any]) -> DeadLetter:
        """Reads a record of a DLQ topic (headers first, the JSON body where they are silent)."""
        dlq = {n: v.decode(errors="replace") for n, v in record.headers or () if _is_dlq(n)}
        original = tuple((n, bytes(v)) for n, v in record.headers or () if not _is_dlq(n))
        envelope = _Envelope(original, record.value)
        return cls(
            dlq_topic=record.topic,
            dlq_partition=record.partition,
            dlq_offset=record.offset,
            original_topic=dlq.get(ORIGINAL_TOPIC) or _undlq(record.topic),
            original_partition=_int(dlq.get(ORIGINAL_PARTITION)),
            original_offset=_int(dlq.get(ORIGINAL_OFFSET)),
            key=record.key,
            value=record.value,
            headers=original,
            error_type=dlq.get(ERROR_TYPE, ""),
            error=dlq.get(ERROR, ""),
            attempts=_int(dlq.get(ATTEMPTS)),
            failed_at=_time(dlq.get(FAILED_AT)) or _time_ms(record.timestamp),
            message_id=envelope.field(MESSAGE_ID, "message_id"),
            tenant_id=envelope.field(TENANT_ID, "tenant_id"),
            message_type=envelope.field(TYPE, "type"),
            number=envelope.field(NUMBER, "number"),
            correlation_id=envelope.field(CORRELATION_ID, "correlation_id"),
            replay_of=envelope.field(REPLAY_OF),
        )

    def replay_headers(self, operator: str) -> list[tuple[str, bytes]]:
        """Returns the original headers for a replay, marked with who replayed it and from where."""
        kept = [(n, v) for n, v in self.headers if n not in (REPLAYED_BY, REPLAY_OF)]
        return [*kept, (REPLAYED_BY, operator.encode()), (REPLAY_OF, self.id.encode())]


class _Envelope:
    """The envelope fields of a record: from its `velo-*` headers, else from its JSON body."""

    def __init__(self, headers: Iterable[tuple[str, bytes]], value: bytes | None):
        self.headers = {name: raw.decode(errors="replace") for name, raw in headers}
        self.body = _json_object(value)

    def field(self, header: str, body_field: str | None = None) -> str | None:
        found = self.headers.get(header) or (self.body.get(body_field) if body_field else None)
        return str(found) if found not in (None, "") else None


def _is_dlq(name: str) -> bool:
    return name.startswith(DLQ_HEADER_PREFIX)


def _undlq(topic: str) -> str:
    return topic.removesuffix(DLQ_SUFFIX)


def _json_object(value: bytes | None) -> dict[str, Any]:
    try:
        data = json.loads(value or b"")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text).astimezone(UTC) if text else None
    except ValueError:
        return None


def _time_ms(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp / 1000, UTC) if timestamp else None
