"""Runtime glue every service shares: Kafka app, retry-then-DLQ, logs, metrics, settings, Mongo."""

from velo_runtime.deadletters import DeadLetter, dead_letter_headers
from velo_runtime.dlq import Backoff, DeadLetterPolicy, PoisonMessage
from velo_runtime.kafka import Publisher, consumes, make_broker
from velo_runtime.logs import configure_logging, get_logger
from velo_runtime.metrics import ServiceMetrics
from velo_runtime.mongo import IndexSpec, create_mongo_client, ensure_indexes
from velo_runtime.problems import e164, problem
from velo_runtime.service import Service, build_service, run_service
from velo_runtime.settings import ServiceSettings

__all__ = [
    "Backoff",
    "DeadLetter",
    "DeadLetterPolicy",
    "IndexSpec",
    "PoisonMessage",
    "Publisher",
    "Service",
    "ServiceMetrics",
    "ServiceSettings",
    "build_service",
    "configure_logging",
    "consumes",
    "create_mongo_client",
    "dead_letter_headers",
    "e164",
    "ensure_indexes",
    "get_logger",
    "make_broker",
    "problem",
    "run_service",
]
