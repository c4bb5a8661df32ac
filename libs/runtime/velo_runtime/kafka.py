"""One way to build the Kafka broker, declare consumers and publish messages in every service."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from faststream import AckPolicy, BaseMiddleware
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from structlog.contextvars import bound_contextvars

from velo_contracts import Message, Topic
from velo_runtime.dlq import Backoff, DeadLetterPolicy
from velo_runtime.metrics import ServiceMetrics
from velo_runtime.settings import ServiceSettings

Handler = TypeVar("Handler", bound=Callable[..., Any])
HEADER_PREFIX = "velo-"
FETCH_MAX_WAIT_MS = 50
"""How long the broker may hold a consumer's fetch when it has no new records. aiokafka sends one
fetch at a time per broker; a partition that had records buffered when that fetch went out is
not in it, so its next record waits for the fetch to come back — up to this long (Kafka's 500 ms
default made one hop through a service take 0.5 s; 100 ms, 116 ms). Lower costs idle fetches:
each consumer asks 1000 / this many times a second while nothing happens."""
_CONTEXT_HEADERS = ("tenant-id", "correlation-id", "message-id", "type", "number")


def make_broker(settings: ServiceSettings, metrics: ServiceMetrics) -> KafkaBroker:
    """Builds the service's broker: at-least-once acks, retry-then-DLQ, metrics, log context."""
    policy = DeadLetterPolicy(
        metrics,
        deadline=settings.retry_deadline_seconds,
        backoff=Backoff(settings.retry_backoff_seconds, settings.retry_backoff_max_seconds),
    )
    broker = KafkaBroker(
        settings.kafka_bootstrap,
        client_id=f"velo-{settings.service_name}",
        acks="all",
        enable_idempotence=True,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        middlewares=[
            KafkaPrometheusMiddleware(registry=metrics.registry, app_name=settings.service_name),
            LogContextMiddleware,
            policy,
        ],
        logger=logging.getLogger(f"velo.{settings.service_name}.broker"),
    )
    policy.bind(broker)
    return broker


def consumes(
    router: KafkaRouter | KafkaBroker,
    topic: Topic | str | None = None,
    *,
    group_id: str,
    pattern: str | None = None,
    **options: Any,
) -> Callable[[Handler], Handler]:
    """Declares an at-least-once subscriber (topic or pattern): explicit group, acked after."""
    options.setdefault("auto_offset_reset", "earliest")
    options.setdefault("fetch_max_wait_ms", FETCH_MAX_WAIT_MS)
    if pattern is not None:
        options["pattern"] = pattern
    topics = () if topic is None else (topic.name if isinstance(topic, Topic) else topic,)
    subscriber = router.subscriber(
        *topics, group_id=group_id, ack_policy=AckPolicy.NACK_ON_ERROR, **options
    )
    return cast("Callable[[Handler], Handler]", subscriber)


class Publisher:
    """Publishes contract messages keyed by number, refusing topics this service doesn't own."""

    def __init__(self, broker: KafkaBroker, service: str, metrics: ServiceMetrics | None = None):
        self.broker = broker
        self.service = service
        self.metrics = metrics

    async def publish(self, message: Message, topic: Topic) -> None:
        """Sends message to topic with the envelope in headers, keyed by number or request."""
        if not isinstance(message, topic.messages):
            raise TypeError(f"{message.type} does not belong on {topic.name}")
        if topic.kind == "events" and topic.owner != self.service:
            raise PermissionError(f"{self.service} may not publish on {topic.name}")
        await self.broker.publish(
            message.model_dump(mode="json"),
            topic=topic.name,
            key=message.partition_key().encode(),
            headers=envelope_headers(message),
            correlation_id=message.correlation_id,
        )
        if self.metrics:
            self.metrics.published.labels(topic.name, message.type).inc()


def envelope_headers(message: Message) -> dict[str, str]:
    """Returns the envelope fields consumers can read without parsing the body."""
    headers = {
        "velo-type": message.type,
        "velo-message-id": message.message_id,
        "velo-tenant-id": message.tenant_id,
        "velo-correlation-id": message.correlation_id,
        "velo-schema-version": str(message.schema_version),
    }
    pick = getattr(message, "pick", None)
    if number := getattr(message, "number", None) or getattr(pick, "number", None):
        headers["velo-number"] = str(number)
    return headers


class LogContextMiddleware(BaseMiddleware):
    """Binds tenant, number, correlation and message id to every log line of a handler run."""

    async def consume_scope(self, call_next: Any, msg: Any) -> Any:
        if isinstance(msg.raw_message, tuple):
            return await call_next(msg)  # a batch mixes tenants and numbers: bind nothing
        headers = msg.headers if isinstance(msg.headers, dict) else {}
        context = {
            name.replace("-", "_"): headers[HEADER_PREFIX + name]
            for name in _CONTEXT_HEADERS
            if HEADER_PREFIX + name in headers
        }
        with bound_contextvars(**context):
            return await call_next(msg)
