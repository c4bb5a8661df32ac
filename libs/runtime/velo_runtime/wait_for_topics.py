"""`python -m velo_runtime.wait_for_topics`: exits once Kafka holds every topic of the registry.

A Kubernetes init container of every service runs it. On the cluster the topics are created by
Strimzi's Topic Operator from the KafkaTopic resources (replication 3); a service that started
first would create the missing ones itself with replication 1 (`ensure_topics`, right for one
local broker), and the operator cannot raise that afterwards.
"""

from __future__ import annotations

import asyncio

from velo_contracts import ALL_TOPICS
from velo_runtime.logs import configure_logging
from velo_runtime.settings import ServiceSettings
from velo_runtime.topics import wait_for_topics


def main() -> None:
    """Waits for the registry's topics on VELO_KAFKA_BOOTSTRAP."""
    settings = ServiceSettings(service_name="wait-for-topics")
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    asyncio.run(wait_for_topics(settings.kafka_bootstrap, ALL_TOPICS))


if __name__ == "__main__":
    main()
