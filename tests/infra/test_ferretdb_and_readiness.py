"""The MongoDB side of the runtime on FerretDB, and readiness that reports each dependency."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from velo_devinfra import InfraEndpoints
from velo_devinfra.stack import free_port
from velo_runtime import IndexSpec, ServiceSettings, build_service, ensure_indexes
from velo_runtime.mongo import OneWriterPerDocument

pytestmark = pytest.mark.infra
NUMBER_INDEX = IndexSpec("numbers", [("tenant_id", 1), ("number", 1)], unique=True)


async def test_a_document_round_trips_and_a_unique_index_refuses_a_duplicate(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    await ensure_indexes(mongo_db, [NUMBER_INDEX])
    await ensure_indexes(mongo_db, [NUMBER_INDEX])  # idempotent at every start
    await mongo_db.numbers.insert_one(
        {"tenant_id": "acme", "number": "+4930123", "status": "active"}
    )

    found = await mongo_db.numbers.find_one({"tenant_id": "acme", "number": "+4930123"})
    assert found is not None and found["status"] == "active"
    with pytest.raises(DuplicateKeyError):
        await mongo_db.numbers.insert_one({"tenant_id": "acme", "number": "+4930123"})
    await mongo_db.numbers.insert_one({"tenant_id": "globex", "number": "+4930123"})
    assert await mongo_db.numbers.count_documents({"number": "+4930123"}) == 2


async def test_find_one_and_update_applies_a_state_change_with_its_outbox_atomically(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    await mongo_db.requests.insert_one({"_id": "req-1", "status": "requested", "outbox": []})
    updated = await mongo_db.requests.find_one_and_update(
        {"_id": "req-1", "status": "requested"},
        {"$set": {"status": "ordering"}, "$push": {"outbox": {"type": "NumberOrdered"}}},
        return_document=True,
    )
    assert updated["status"] == "ordering" and updated["outbox"] == [{"type": "NumberOrdered"}]
    again = await mongo_db.requests.find_one_and_update(
        {"_id": "req-1", "status": "requested"}, {"$set": {"status": "ordering"}}
    )
    assert again is None  # the guard makes a redelivered transition a no-op


async def _ready(settings: ServiceSettings) -> httpx.Response:
    service = build_service(settings)
    await service.start()
    try:
        transport = httpx.ASGITransport(app=service.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
            return await http.get("/ready")
    finally:
        await service.stop()


async def test_ready_reports_kafka_and_mongodb(infra: InfraEndpoints) -> None:
    response = await _ready(
        ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap, mongo_url=infra.mongo_url)
    )
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"kafka": True, "mongodb": True}}


async def test_ready_names_the_dependency_that_does_not_answer(infra: InfraEndpoints) -> None:
    dead_mongo = f"mongodb://127.0.0.1:{free_port()}/?serverSelectionTimeoutMS=300"
    response = await _ready(
        ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap, mongo_url=dead_mongo)
    )
    assert response.status_code == 503
    assert response.json()["checks"] == {"kafka": True, "mongodb": False}


async def test_one_writer_per_document_keeps_racing_updates_and_compare_and_set_honest(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    rows = OneWriterPerDocument(mongo_db.rows)
    for n in range(30):
        await rows.insert_one({"_id": n, "x": 0, "y": 0, "rev": 1})
        await asyncio.gather(
            rows.update_one({"_id": n}, {"$set": {"x": 1}}),
            rows.update_one({"_id": n}, {"$set": {"y": 1}}),
        )
        won = await asyncio.gather(
            *(rows.update_one({"_id": n, "rev": 1}, {"$inc": {"rev": 1}}) for _ in range(3))
        )
        assert sum(result.modified_count for result in won) == 1
        assert await rows.find_one({"_id": n}) == {"_id": n, "x": 1, "y": 1, "rev": 2}
