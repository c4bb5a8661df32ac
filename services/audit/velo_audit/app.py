"""Composition root of the audit service."""

from __future__ import annotations

from prometheus_client import Counter

from velo_audit.api import audit_api
from velo_audit.ingest import ingest_router
from velo_audit.settings import AuditSettings
from velo_audit.store import INDEXES, AuditStore
from velo_contracts import ALL_TOPICS
from velo_runtime import Service, build_service, run_service


def create_app(settings: AuditSettings | None = None) -> Service:
    """Builds the audit service, unconnected until its HTTP app starts."""
    settings = settings or AuditSettings()
    service = build_service(settings, indexes=INDEXES, title="VeloConnect Numbers — audit")
    store = AuditStore(service.db)
    stored = Counter(
        "velo_audit_events_stored_total", "Audit entries stored.", registry=service.metrics.registry
    )
    dead = Counter(
        "velo_dead_letters_seen_total",
        "Dead-lettered messages recorded, by DLQ topic.",
        ["topic"],
        registry=service.metrics.registry,
    )
    for topic in ALL_TOPICS:  # a series per DLQ from the start, before its first dead letter
        dead.labels(topic.dlq)
    group = settings.group("all-topics")
    service.include(ingest_router(store, group, settings.batch_size, stored, dead))
    service.http.include_router(audit_api(store))
    service.watch_dlqs()  # audit records every dead letter: it reports how many each DLQ holds
    return service


def main() -> None:
    """Runs the audit service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
