"""The MongoDB side of the runtime on the session's database, readiness that reports each
dependency, and what the local engine (mongo-java-server) must keep: MongoDB's answers to a
duplicate key, single-document atomicity under racing updates, (h2 backend) data across a restart,
and the launcher's own secondary indexes: on both backends, through every kind of write and a
restart, a collection with them answers exactly like the same collection without."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import bson
import httpx
import pytest
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure

from velo_devinfra import InfraEndpoints
from velo_devinfra.mongo import Backend, MongoNode, ensure_mongo_launcher
from velo_devinfra.stack import free_port
from velo_runtime import IndexSpec, ServiceSettings, build_service, ensure_indexes
from velotest import eventually

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


async def _ready(settings: ServiceSettings, until: int) -> httpx.Response:
    """Starts a service the way its HTTP app does (in the background) and asks `/ready` until
    it answers `until`."""
    service = build_service(settings, indexes=[NUMBER_INDEX])
    service.start_in_background()
    try:
        transport = httpx.ASGITransport(app=service.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:

            async def answered() -> httpx.Response | None:
                response = await http.get("/ready")
                return response if response.status_code == until else None

            return await eventually(answered, timeout=30)
    finally:
        await service.stop()


async def test_ready_reports_kafka_and_mongodb(infra: InfraEndpoints) -> None:
    response = await _ready(
        ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap, mongo_url=infra.mongo_url), 200
    )
    assert response.json() == {
        "status": "ready",
        "checks": {"kafka": True, "mongodb": True, "started": True},
    }


async def test_ready_names_the_dependency_that_does_not_answer(infra: InfraEndpoints) -> None:
    dead_mongo = f"mongodb://127.0.0.1:{free_port()}/?serverSelectionTimeoutMS=300"
    response = await _ready(
        ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap, mongo_url=dead_mongo), 503
    )
    body = response.json()
    assert body["checks"] == {"kafka": True, "mongodb": False, "started": False}
    assert body["waiting_for"] == ["mongodb"]


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


# The launcher's secondary indexes (deploy/local/mongo/FirstKeyIndex.java). mongo-java-server alone
# ignores non-unique indexes; the launcher serves a query that fixes an index's first key from an
# ordered map of that key's values, and the library's matcher re-applies the whole filter. Twin
# collections get the same documents and the same writes, one with indexes, one without: every
# answer must be the same, byte for byte and in the same order.

Doc = dict[str, Any]
Write = Callable[[AsyncCollection[Doc]], Any]
INDEXES: list[list[tuple[str, int]]] = [
    [("tenant_id", 1), ("created_at", -1), ("_id", -1)],
    [("n", 1), ("tenant_id", 1)],
    [("actor.user_id", 1), ("created_at", -1)],
    [("flag", 1), ("tenant_id", 1)],
    [("created_at", 1)],
]
SORTS: list[list[tuple[str, int]] | None] = [
    None,
    [("created_at", -1), ("_id", -1)],
    [("n", 1)],
    [("tenant_id", 1)],
    [("created_at", 1), ("flag", -1)],
    [("actor.user_id", -1)],
]
TENANTS = [f"t{i}" for i in range(6)]
OBJECT_IDS = [bson.ObjectId(f"65a000000000000000000{n:03d}") for n in (1, 7)]
USERS = ["u1", "u2", "u3"]
BASE = datetime(2025, 1, 1)
# Every kind and size of number: int32, int64 past int32 and past 2**53, doubles with a fraction
# next to int64s (the library compares those truncated), the largest int64 (which the library
# calls equal to the double 2**63), huge doubles, NaN.
NUMBERS: list[Any] = [
    0, 1, 2, 2.0, 2.5, -1, 7, 0.1, 2**31 - 1, 2**31, 2**40, 2**40 + 1, 2**40 + 0.5, 2**40 - 0.5,
    -(2**40), -(2**40) + 0.5, 2**53 + 1, 2**62, 2**63 - 1, float(2**63), 1e30, -1e30, float("nan"),
]  # fmt: skip
MISSING = object()


def _random_document(rng: random.Random, _id: int) -> Doc:
    """A document whose indexed fields take every shape: scalars of several types, null, missing,
    arrays (multikey), subdocuments."""
    values = {
        "tenant_id": rng.choice(
            [*TENANTS * 3, None, MISSING, 2, 2.0, 3.5, *OBJECT_IDS, TENANTS[:2], {"id": "t1"}]
        ),
        "created_at": rng.choice([BASE + timedelta(seconds=rng.randrange(300))] * 9 + [MISSING]),
        "n": rng.choice([*NUMBERS, "7", None, MISSING, False]),
        "actor": rng.choice(
            [
                *({"user_id": user} for user in USERS),
                {"user_id": None},
                {"user_id": 5},
                {},
                MISSING,
                "scalar",
                [{"user_id": "u1"}, {"user_id": "u2"}],
            ]
        ),
        "flag": rng.choice([True, False, MISSING, 1]),
    }
    return {"_id": _id} | {field: value for field, value in values.items() if value is not MISSING}


def _random_condition(rng: random.Random) -> Doc:
    """One condition on one field: the shapes the index serves, and some it leaves to a scan."""

    def tenant() -> Any:
        return rng.choice([*TENANTS, None, 2, 3.5, "zz", *OBJECT_IDS])

    def number() -> Any:
        return rng.choice([*NUMBERS, 2**40 - 1, float("inf"), "a", None])

    def user() -> Any:
        return rng.choice([*USERS, None, 5])

    def when() -> datetime:
        return BASE + timedelta(seconds=rng.randrange(-10, 310))

    def bound() -> str:
        return rng.choice(["$gt", "$gte", "$lt", "$lte"])

    conditions: list[Callable[[], Doc]] = [
        lambda: {"tenant_id": tenant()},
        lambda: {"tenant_id": {"$eq": tenant()}},
        lambda: {"tenant_id": {"$in": [tenant() for _ in range(rng.randrange(4))]}},
        lambda: {"tenant_id": {"$in": [tenant(), tenant()], "$ne": tenant()}},
        lambda: {"tenant_id": {bound(): tenant(), bound(): tenant()}},
        lambda: {"tenant_id": {"$regex": "^t[12]"}},
        lambda: {"tenant_id": {"$exists": rng.random() < 0.5}},
        lambda: {"tenant_id": TENANTS[:2]},
        lambda: {"n": number()},
        lambda: {"n": {bound(): number()}},
        lambda: {"n": {bound(): number(), bound(): number()}},
        lambda: {"n": {"$in": [number(), number()]}},
        lambda: {"actor.user_id": user()},
        lambda: {"actor.user_id": {"$in": [user(), user()]}},
        lambda: {"actor": {"user_id": user()}},
        lambda: {"flag": rng.choice([True, False, None, 1])},
        lambda: {"flag": {bound(): rng.choice([True, False])}},
        lambda: {"created_at": {bound(): when(), bound(): when()}},
        lambda: {"created_at": None},
        lambda: {"$or": [{"tenant_id": tenant()}, {"n": number()}]},
    ]
    return rng.choice(conditions)()


def _random_filter(rng: random.Random) -> Doc:
    parts = [_random_condition(rng) for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3]))]
    if len(parts) > 1 and rng.random() < 0.3:
        return {"$and": parts}
    return {key: value for part in parts for key, value in part.items()}


def _random_update(rng: random.Random) -> Doc:
    """An update that often moves a document to another key of some index."""
    updates: list[Callable[[], Doc]] = [
        lambda: {"$set": {"tenant_id": rng.choice([*TENANTS, None, 2, TENANTS[2:4]])}},
        lambda: {"$unset": {"tenant_id": ""}},
        lambda: {"$set": {"n": rng.choice(NUMBERS)}},
        lambda: {"$inc": {"n": rng.choice([1, -2, 0.5])}},
        lambda: {"$set": {"actor.user_id": rng.choice([*USERS, None])}},
        lambda: {"$set": {"actor": rng.choice([{"user_id": "u2"}, "scalar", [{"user_id": "u3"}]])}},
        lambda: {"$set": {"flag": rng.choice([True, False])}, "$unset": {"created_at": ""}},
        lambda: {"$set": {"created_at": BASE + timedelta(seconds=rng.randrange(300))}},
    ]
    return rng.choice(updates)()


def _encoded(documents: list[Doc]) -> list[bytes]:
    """Documents as BSON: equal only when every field, type and order is (and NaN equals NaN)."""
    return [bson.encode(document) for document in documents]


def _random_write(rng: random.Random, new_id: Callable[[], int]) -> tuple[str, Write]:
    """A write and what it answers: every kind the services use, upserts with a chosen _id (a
    generated one would differ between the twins)."""
    query, update, sort = _random_filter(rng), _random_update(rng), rng.choice(SORTS)
    # An _id of a document that exists or existed (an upsert then may hit a duplicate key), or new.
    some_id = rng.choice([rng.randrange(new_id()), new_id()])
    upsert_query = {"_id": some_id} | rng.choice([{}, {"tenant_id": rng.choice(TENANTS)}])
    after = rng.choice([ReturnDocument.BEFORE, ReturnDocument.AFTER])
    replacement = {k: v for k, v in _random_document(rng, 0).items() if k != "_id"}
    document = _random_document(rng, new_id())

    async def update_one(c: AsyncCollection[Doc]) -> Any:
        done = await c.update_one(query, update)
        return done.matched_count, done.modified_count

    async def update_many(c: AsyncCollection[Doc]) -> Any:
        done = await c.update_many(query, update)
        return done.matched_count, done.modified_count

    async def upsert(c: AsyncCollection[Doc]) -> Any:
        done = await c.update_one(upsert_query, update, upsert=True)
        return done.matched_count, done.modified_count, done.upserted_id

    async def replace_one(c: AsyncCollection[Doc]) -> Any:
        done = await c.replace_one(query, replacement)
        return done.matched_count, done.modified_count

    async def find_one_and_update(c: AsyncCollection[Doc]) -> Any:
        found = await c.find_one_and_update(query, update, sort=sort, return_document=after)
        return _encoded([found] if found else [])

    async def find_one_and_upsert(c: AsyncCollection[Doc]) -> Any:
        found = await c.find_one_and_update(
            upsert_query, update, upsert=True, return_document=after
        )
        return _encoded([found] if found else [])

    async def find_one_and_delete(c: AsyncCollection[Doc]) -> Any:
        return _encoded([found] if (found := await c.find_one_and_delete(query, sort=sort)) else [])

    async def delete_one(c: AsyncCollection[Doc]) -> Any:
        return (await c.delete_one(query)).deleted_count

    async def delete_many(c: AsyncCollection[Doc]) -> Any:  # one tenant's at most: leave some
        return (await c.delete_many({"$and": [{"tenant_id": TENANTS[0]}, query]})).deleted_count

    async def insert_one(c: AsyncCollection[Doc]) -> Any:
        return (await c.insert_one(dict(document))).inserted_id

    writes: list[tuple[Write, str]] = [
        (update_one, f"update_one({query}, {update})"),
        (update_many, f"update_many({query}, {update})"),
        (upsert, f"update_one({upsert_query}, {update}, upsert)"),
        (replace_one, f"replace_one({query})"),
        (find_one_and_update, f"find_one_and_update({query}, {update}, {sort}, {after})"),
        (find_one_and_upsert, f"find_one_and_update({upsert_query}, {update}, upsert)"),
        (find_one_and_delete, f"find_one_and_delete({query}, {sort})"),
        (delete_one, f"delete_one({query})"),
        (delete_many, f"delete_many({query})"),
        (insert_one, f"insert_one({document})"),
        (insert_one, f"insert_one({document})"),
    ]
    write, description = rng.choice(writes)
    return description, write


async def _outcome(action: Any) -> Any:
    """What an operation answered, or which error it raised."""
    try:
        return await action
    except OperationFailure as error:
        return ("error", error.code)


async def _same_answers(
    indexed: AsyncCollection[Doc], plain: AsyncCollection[Doc], rng: random.Random, queries: int
) -> None:
    for _ in range(queries):
        query, sort = _random_filter(rng), rng.choice(SORTS)
        skip, limit = rng.choice([0, 0, 0, 3, 17]), rng.choice([0, 1, 5, 20, 50, 50])
        answers = []
        for collection in (indexed, plain):
            cursor = collection.find(query).skip(skip).limit(limit)
            if sort:
                cursor = cursor.sort(sort)
            answers.append(await _outcome(cursor.to_list()))
        expected = answers[1] if isinstance(answers[1], tuple) else _encoded(answers[1])
        found = answers[0] if isinstance(answers[0], tuple) else _encoded(answers[0])
        assert found == expected, (
            f"find({query}).sort({sort}).skip({skip}).limit({limit}):"
            f" {answers[0]} with indexes, {answers[1]} without"
        )


async def _same_writes(
    indexed: AsyncCollection[Doc],
    plain: AsyncCollection[Doc],
    rng: random.Random,
    writes: int,
    new_id: Callable[[], int],
) -> None:
    for _ in range(writes):
        description, write = _random_write(rng, new_id)
        assert await _outcome(write(indexed)) == await _outcome(write(plain)), description


async def _same_contents_and_full_indexes(
    indexed: AsyncCollection[Doc], plain: AsyncCollection[Doc]
) -> None:
    contents = [await c.find().sort("_id", 1).to_list() for c in (indexed, plain)]
    assert _encoded(contents[0]) == _encoded(contents[1])
    assert len(contents[0]) > 500  # the random writes left enough to query
    # The library's own indexes report 0 keys for a non-unique index: ours hold every document.
    validated = await indexed.database.command("validate", indexed.name)
    assert validated["keysPerIndex"] == {
        name: len(contents[0]) for name in await indexed.index_information()
    }


@asynccontextmanager
async def _engine(
    tmp_path: Path, backend: Backend
) -> AsyncIterator[tuple[MongoNode, AsyncMongoClient[Doc]]]:
    """The launcher on its own port, so this test can restart it."""
    node = MongoNode(tmp_path, free_port(), backend=backend)
    node.start(ensure_mongo_launcher())
    try:
        await node.wait_ready()
        client: AsyncMongoClient[Doc] = AsyncMongoClient(node.url)
        try:
            yield node, client
        finally:
            await client.close()
    finally:
        node.stop()


class _Ids:
    """Hands out new _ids, after those of the first documents."""

    def __init__(self, first: int) -> None:
        self.next = first

    def __call__(self) -> int:
        self.next += 1
        return self.next - 1


@pytest.mark.parametrize("backend", ["memory", "h2"])
async def test_a_collection_with_secondary_indexes_answers_like_one_without(
    tmp_path: Path, backend: Backend
) -> None:
    rng = random.Random(f"twins-{backend}")
    documents = [_random_document(rng, n) for n in range(1200)]
    new_id = _Ids(len(documents))
    async with _engine(tmp_path, backend) as (node, client):
        indexed, plain = client.twins.indexed, client.twins.plain
        await plain.insert_many([dict(d) for d in documents])
        # Indexes built from documents already there, then kept up to date by later inserts.
        await indexed.insert_many([dict(d) for d in documents[:600]])
        for keys in INDEXES:
            await indexed.create_index(keys)
        await indexed.insert_many([dict(d) for d in documents[600:]])

        await _same_answers(indexed, plain, rng, 150)
        for _ in range(6):
            await _same_writes(indexed, plain, rng, 50, new_id)
            await _same_answers(indexed, plain, rng, 30)
            more = [_random_document(rng, new_id()) for _ in range(100)]  # deletes took some
            for collection in (indexed, plain):
                await collection.insert_many([dict(d) for d in more])
        await _same_contents_and_full_indexes(indexed, plain)

        if backend == "h2":  # the indexes live in memory: rebuilt from the data at start
            node.stop()
            node.start(ensure_mongo_launcher())
            await node.wait_ready()
            await _same_contents_and_full_indexes(indexed, plain)
            await _same_answers(indexed, plain, rng, 120)
            await _same_writes(indexed, plain, rng, 60, new_id)
            await _same_answers(indexed, plain, rng, 60)
            await _same_contents_and_full_indexes(indexed, plain)


@pytest.mark.parametrize("backend", ["memory", "h2"])
async def test_an_index_built_while_documents_arrive_and_move_misses_none(
    tmp_path: Path, backend: Backend
) -> None:
    rng = random.Random(f"racing-{backend}")
    async with _engine(tmp_path, backend) as (_, client):
        rows = client.racing.rows
        await rows.insert_many([_random_document(rng, n) for n in range(4000)])
        await asyncio.gather(
            rows.create_index(INDEXES[0]),
            *(rows.insert_one(_random_document(rng, n)) for n in range(4000, 4300)),
            *(
                rows.update_one({"_id": n}, {"$set": {"tenant_id": rng.choice(TENANTS)}})
                for n in rng.sample(range(4000), 300)
            ),
        )
        for tenant in [*TENANTS, None]:
            served = await rows.find({"tenant_id": tenant}).to_list()
            scanned = await rows.find({"$or": [{"tenant_id": tenant}]}).to_list()  # no index
            assert _encoded(served) == _encoded(scanned)
        validated = await client.racing.command("validate", "rows")
        assert set(validated["keysPerIndex"].values()) == {4300}


@pytest.mark.parametrize("backend", ["memory", "h2"])
async def test_a_query_reads_only_the_documents_of_the_index_that_narrows_it_most(
    tmp_path: Path, backend: Backend
) -> None:
    # The library's matcher fails on {$mod: [0, 0]} for any document with a number there (it
    # divides by zero), and is false for any other. So the query below answers only if every
    # document it reads is one of tenant "b"'s, whose n is a string: read through an index.
    poison = {"n": {"$mod": [0, 0]}, "flag": True, "tenant_id": "b"}
    documents = [{"_id": n, "tenant_id": "a", "flag": True, "n": n} for n in range(500)]
    documents += [{"_id": n, "tenant_id": "b", "flag": True, "n": "x"} for n in range(500, 520)]
    async with _engine(tmp_path, backend) as (_, client):
        rows, plain = client.served.rows, client.served.plain
        for collection in (rows, plain):
            await collection.insert_many([dict(d) for d in documents])
        # (flag, tenant_id) fixes 520 documents, (tenant_id) 20: the first index that could serve
        # is not the one to use.
        await rows.create_index([("flag", 1), ("tenant_id", 1)])
        await rows.create_index([("tenant_id", 1), ("_id", -1)])

        with pytest.raises(OperationFailure):  # a full scan reads tenant "a"'s numbers
            await plain.find(poison).to_list()
        assert await rows.find(poison).to_list() == []
        assert len(await rows.find({"tenant_id": "b", "flag": True}).to_list()) == 20
