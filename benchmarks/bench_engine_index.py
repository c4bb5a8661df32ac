"""A tenant's newest page on the local engine (mongo-java-server), with and without an index.

100 000 audit-like documents: 10% of one big tenant, the rest spread over 99 small ones, in a
collection with the index (tenant_id, created_at desc, _id desc) and in a twin without it (what
every query was before the launcher served non-unique indexes: a read of the whole collection).
Times `find({tenant_id}).sort(created_at desc, _id desc).limit(50)`, on both backends; with h2
after a restart, and how long that takes until the server answers (it rebuilds the index).
Starts its own mongo-java-server. Run `python benchmarks/bench_engine_index.py`.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.collection import Collection

from velo_devinfra.mongo import BACKENDS, MongoNode, ensure_mongo_launcher
from velo_devinfra.stack import free_port

DOCUMENTS = 100_000
SMALL_TENANTS = 99
CALLS = 200
CALLS_WITHOUT_INDEX = 20  # a full read each: up to seconds with h2
PAGE = 50
INDEX = [("tenant_id", 1), ("created_at", -1), ("_id", -1)]
BIG, SMALL = "tenant-big", "tenant-007"


def _summary(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<44} median {statistics.median(ms):8.2f} ms   p99 {p99:8.2f} ms   n={len(ms)}")


def _timed(call: Callable[[], object], count: int) -> list[float]:
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return spent


def _documents() -> list[dict[str, Any]]:
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    start = datetime(2025, 1, 1)
    documents = []
    for n in range(DOCUMENTS):
        tenant = BIG if n % 10 == 0 else f"tenant-{rng.randrange(SMALL_TENANTS):03d}"
        documents.append(
            {
                "_id": f"evt-{n:06d}",
                "tenant_id": tenant,
                "created_at": start + timedelta(seconds=rng.randrange(30 * 86400)),
                "type": rng.choice(["NumberOrdered", "NumberAssigned", "RouteChanged"]),
                "number": f"+4930{rng.randrange(10**7):07d}",
                "actor": {"user_id": f"user-{rng.randrange(50)}", "role": "admin"},
            }
        )
    return documents


def _page(collection: Collection[dict[str, Any]], tenant: str) -> Callable[[], object]:
    def call() -> object:
        page = list(collection.find({"tenant_id": tenant}).sort(INDEX).limit(PAGE))
        assert len(page) == PAGE
        return page

    return call


def _measure(client: MongoClient[dict[str, Any]], backend: str) -> None:
    database = client.bench
    for name, calls in (("with index", CALLS), ("without index", CALLS_WITHOUT_INDEX)):
        collection = database.indexed if name == "with index" else database.plain
        for label, tenant in (("big tenant, 10%", BIG), ("small tenant, ~0.9%", SMALL)):
            _page(collection, tenant)()  # warm
            _summary(f"{backend}, {name}, {label}", _timed(_page(collection, tenant), calls))


def _run(backend: str, data_dir: Path) -> None:
    launcher = ensure_mongo_launcher()
    node = MongoNode(data_dir, free_port(), backend=backend, heap_mb=1536)
    node.start(launcher)
    try:
        asyncio.run(node.wait_ready(timeout=120))
        client: MongoClient[dict[str, Any]] = MongoClient(node.url)
        try:
            documents = _documents()
            database = client.bench
            database.indexed.create_index(INDEX)
            for collection in (database.indexed, database.plain):
                for at in range(0, DOCUMENTS, 5000):
                    collection.insert_many([dict(d) for d in documents[at : at + 5000]])
            if backend == "h2":
                # Right after a bulk load the MVStore is still writing it out: measure it settled.
                node.stop()
                started = time.perf_counter()
                node.start(launcher)
                asyncio.run(node.wait_ready(timeout=300))
                restarted = time.perf_counter() - started
                print(f"h2 restart with {2 * DOCUMENTS} documents: answers after {restarted:.1f} s")
            _measure(client, backend)
        finally:
            client.close()
    finally:
        node.stop()


def main() -> None:
    print(f"{DOCUMENTS} documents, {SMALL_TENANTS + 1} tenants, page of {PAGE}, index {INDEX}")
    with tempfile.TemporaryDirectory(prefix="bench-engine-index-") as folder:
        for backend in BACKENDS:
            _run(backend, Path(folder) / backend)


if __name__ == "__main__":
    main()
