"""Writes the AsyncAPI documents: the whole system's topics, and each service's own channels.

Usage: python -m velo_runtime.asyncapi OUTPUT_DIR  (what `make docs` runs)
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from velo_contracts import ALL_TOPICS

SERVICES = ("inventory", "ordering", "sip_routing", "assignment", "audit", "gateway")


def system_document() -> dict[str, Any]:
    """Describes every topic of the registry: owner, purpose and message schemas."""
    broker = KafkaBroker("kafka:9092", description="VeloConnect Numbers, all topics (v1).")
    for topic in ALL_TOPICS:
        broker.publisher(
            topic.name,
            title=topic.name,
            description=f"{topic.description} Owner: {topic.owner}. Dead letters: {topic.dlq}.",
            schema=topic.schema,
        )
    return _document(broker, "VeloConnect Numbers")


def service_document(service: str) -> dict[str, Any] | None:
    """Describes one service's subscribers and publishers, if it declares any."""
    app = importlib.import_module(f"velo_{service}.app").create_app()
    if not app.broker.subscribers and not app.broker.publishers:
        return None
    return _document(app.broker, f"VeloConnect Numbers — {service}")


def _document(broker: KafkaBroker, title: str) -> dict[str, Any]:
    spec = AsyncAPI(broker, title=title, version="1", schema_version="3.0.0")
    return dict(json.loads(spec.to_specification().to_json()))


def main() -> None:
    """Writes the documents into the folder given on the command line."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/asyncapi")
    out.mkdir(parents=True, exist_ok=True)
    documents = {"velo-numbers": system_document()}
    documents |= {s: doc for s in SERVICES if (doc := service_document(s)) is not None}
    for name, document in documents.items():
        path = out / f"{name}.json"
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
