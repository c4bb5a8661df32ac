"""Retry-then-dead-letter for Kafka handlers.

A failing handler's message is not acked: the consumer seeks back and retries it, waiting longer
each time (up to a cap), for as long as the fault lasts — a peer or the database being down
delays the outcome, it does not drop it. Only when the retries pass their deadline (`deadline`
seconds after the first failure), or at once for a poison message (one that can never parse, or
a refusal no retry can change), is it parked: published to `<topic>.dlq` with its original
payload, key and headers plus the error, then acked so the partition keeps moving. Audit records
every parked message as its own entry and alerts the tenant's admins; `velo-dlq` lists, replays
and discards them.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiokafka import ConsumerRecord
from faststream import BaseMiddleware
from faststream.exceptions import HandlerException
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from velo_contracts import dlq_of
from velo_runtime.deadletters import dead_letter_headers
from velo_runtime.logs import get_logger
from velo_runtime.metrics import ServiceMetrics

log = get_logger(__name__)


class PoisonMessage(Exception):
    """Raised by a handler for a message that can never succeed; it goes to the DLQ at once."""


POISON = (PoisonMessage, ValidationError, json.JSONDecodeError, UnicodeDecodeError)


@dataclass
class _Failing:
    """A record that keeps failing: since when (monotonic seconds) and how many tries so far."""

    since: float
    attempts: int = 0


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: base, 2·base, 4·base, … capped at cap seconds."""

    base: float = 0.5
    cap: float = 10.0

    def delay(self, attempt: int) -> float:
        """Returns the wait after the given failed attempt (1-based)."""
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        return float(random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter, not crypto


class DeadLetterPolicy:
    """Broker middleware factory that retries failing handlers and dead-letters the hopeless."""

    def __init__(
        self, metrics: ServiceMetrics, deadline: float = 900.0, backoff: Backoff = Backoff()
    ):
        self.metrics = metrics
        self.deadline = deadline
        self.backoff = backoff
        self.broker: KafkaBroker | None = None
        self._failures: dict[tuple[str, int, int], _Failing] = {}

    def bind(self, broker: KafkaBroker) -> None:
        """Gives the policy the broker it publishes dead letters with."""
        self.broker = broker

    def __call__(self, msg: Any, /, *, context: Any) -> _DeadLetterMiddleware:
        return _DeadLetterMiddleware(msg, context=context, policy=self)

    async def handle_failure(self, record: ConsumerRecord[Any, Any], error: BaseException) -> bool:
        """Decides a failed record's fate; returns True when it was dead-lettered (ack it)."""
        key = (record.topic, record.partition, record.offset)
        failing = self._failures.setdefault(key, _Failing(time.monotonic()))
        failing.attempts += 1
        remaining = failing.since + self.deadline - time.monotonic()
        if remaining > 0 and not isinstance(error, POISON):
            self.metrics.retries.labels(record.topic).inc()
            delay = min(self.backoff.delay(failing.attempts), remaining)
            log.warning(
                "handler_failed_will_retry",
                topic=record.topic,
                offset=record.offset,
                attempt=failing.attempts,
                retry_in=round(delay, 3),
                gives_up_in=round(remaining, 1),
                error=repr(error),
            )
            await asyncio.sleep(delay)
            return False
        await self.dead_letter(record, error, failing.attempts)
        self._failures.pop(key, None)
        return True

    async def batch_failed(
        self, records: tuple[ConsumerRecord[Any, Any], ...], error: BaseException
    ) -> None:
        """Waits before a failed batch is fetched again (the wait grows while it keeps failing)."""
        first = records[0]
        key = (first.topic, first.partition, first.offset)
        failing = self._failures.setdefault(key, _Failing(time.monotonic()))
        failing.attempts += 1
        attempts = failing.attempts
        self.metrics.retries.labels(first.topic).inc()
        delay = self.backoff.delay(attempts)
        log.warning(
            "batch_failed_will_retry",
            topic=first.topic,
            offset=first.offset,
            size=len(records),
            attempt=attempts,
            retry_in=round(delay, 3),
            error=repr(error),
        )
        await asyncio.sleep(delay)

    def succeeded(self, record: ConsumerRecord[Any, Any]) -> None:
        """Forgets the failures of a record that has now been handled."""
        self._failures.pop((record.topic, record.partition, record.offset), None)

    async def dead_letter(
        self, record: ConsumerRecord[Any, Any], error: BaseException, attempts: int
    ) -> None:
        """Publishes the record, unchanged, to its topic's DLQ with the error in headers."""
        if self.broker is None:
            raise RuntimeError("DeadLetterPolicy is not bound to a broker")
        headers = dead_letter_headers(record, error, attempts)
        dlq = dlq_of(record.topic)
        await self.broker.publish(record.value, topic=dlq, key=record.key, headers=headers)
        self.metrics.dead_lettered.labels(record.topic).inc()
        log.error(
            "message_dead_lettered",
            topic=record.topic,
            dlq=dlq,
            offset=record.offset,
            attempts=attempts,
            error=repr(error),
        )


class _DeadLetterMiddleware(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: Any, policy: DeadLetterPolicy) -> None:
        super().__init__(msg, context=context)
        self.policy = policy

    async def after_processed(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> bool | None:
        record = self.msg
        if isinstance(record, tuple):
            if exc_val is None:
                self.policy.succeeded(record[0])
            elif not isinstance(exc_val, HandlerException):
                await self.policy.batch_failed(record, exc_val)
            return False  # a batch is retried whole, never dead-lettered
        if not isinstance(record, ConsumerRecord):
            return False
        if exc_val is None:
            self.policy.succeeded(record)
            return False
        if isinstance(exc_val, HandlerException | asyncio.CancelledError):
            return False  # explicit ack/nack/reject from a handler, or shutdown
        return await self.policy.handle_failure(record, exc_val)
