"""The MongoDB side of the runtime on the session's database, readiness that reports each
dependency, and what the local engine (mongo-java-server) must keep: MongoDB's answers to a
duplicate key, single-document atomicity under racing updates, and (h2 backend) data across a
restart."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from velo_devinfra import InfraEndpoints
from velo_devinfra.mongo import MongoNode, ensure_mongo_launcher
from velo_devinfra.stack import free_port
from velo_runtime import IndexSpec, ServiceSettings, build_service, ensure_indexes

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


async def test_a_duplicate_key_answers_code_11000_on_insert_and_on_update(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    await ensure_indexes(mongo_db, [NUMBER_INDEX])
    await mongo_db.numbers.insert_one({"_id": 1, "tenant_id": "acme", "number": "+4930123"})
    await mongo_db.numbers.insert_one({"_id": 2, "tenant_id": "acme", "number": "+4930124"})

    with pytest.raises(DuplicateKeyError) as inserted:
        await mongo_db.numbers.insert_one({"tenant_id": "acme", "number": "+4930123"})
    with pytest.raises(DuplicateKeyError) as updated:
        await mongo_db.numbers.update_one({"_id": 2}, {"$set": {"number": "+4930123"}})

    assert inserted.value.code == updated.value.code == 11000
    assert await mongo_db.numbers.find_one({"_id": 2}, {"_id": 0, "number": 1}) == {
        "number": "+4930124"
    }


async def test_racing_updates_of_one_document_all_land_and_a_guarded_update_has_one_winner(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    rows = mongo_db.rows
    pairs = 200
    await rows.insert_many([{"_id": n, "x": 0, "y": 0, "rev": 1} for n in range(pairs)])

    await asyncio.gather(
        *(rows.update_one({"_id": n}, {"$set": {field: 1}}) for n in range(pairs) for field in "xy")
    )
    won = await asyncio.gather(
        *(
            rows.update_one({"_id": n, "rev": 1}, {"$inc": {"rev": 1}})
            for n in range(pairs)
            for _ in range(2)
        )
    )

    winners = [won[2 * n].modified_count + won[2 * n + 1].modified_count for n in range(pairs)]
    assert winners == [1] * pairs  # exactly one compare-and-set of each pair wins
    expected = [{"_id": n, "x": 1, "y": 1, "rev": 2} for n in range(pairs)]
    assert await rows.find().sort("_id", 1).to_list() == expected  # no update was lost


async def test_the_h2_backend_keeps_data_and_indexes_across_a_restart(tmp_path: Path) -> None:
    node = MongoNode(tmp_path, free_port(), backend="h2")
    launcher = ensure_mongo_launcher()
    node.start(launcher)
    try:
        await node.wait_ready()
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(node.url)
        try:
            await ensure_indexes(client.kept, [NUMBER_INDEX])
            await client.kept.numbers.insert_one({"tenant_id": "acme", "number": "+4930123"})
            node.stop()
            assert node.data_file.exists()

            node.start(launcher)
            await node.wait_ready()
            found = await client.kept.numbers.find_one({"tenant_id": "acme"}, {"_id": 0})
            assert found == {"tenant_id": "acme", "number": "+4930123"}
            with pytest.raises(DuplicateKeyError):
                await client.kept.numbers.insert_one({"tenant_id": "acme", "number": "+4930123"})
        finally:
            await client.close()
    finally:
        node.stop()
