"""One contract for the revision rule, run on the in-memory fake and on the real engine.

The races are the ones MongoDB refuses: a stale guarded write, a second insert of an `_id`.
The fake must refuse them the same way, so tests that run on it stay honest.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from velo_runtime import create_mongo_client
from velo_runtime.claims import Claims
from velo_runtime.documents import (
    REV,
    Conflict,
    Document,
    Documents,
    MemoryDocuments,
    MongoDocuments,
    change,
)

PAIRS = 200


@pytest.fixture(params=["memory", pytest.param("engine", marks=pytest.mark.infra)])
def backend(request: pytest.FixtureRequest) -> str | None:
    """None for the fake, else the session engine's URL (started here, outside any event loop)."""
    return None if request.param == "memory" else str(request.getfixturevalue("mongo_url"))


@pytest.fixture
async def docs(backend: str | None) -> AsyncIterator[Documents]:
    """The fake, or a collection of its own on the real engine."""
    if backend is None:
        yield MemoryDocuments()
        return
    client = create_mongo_client(backend)
    name = f"contract_{uuid.uuid4().hex[:12]}"
    try:
        yield MongoDocuments(client[name]["contract"])
    finally:
        await client.drop_database(name)
        await client.close()


def add(field: str, amount: int = 1) -> Any:
    """Returns a change adding amount to a counter (creating the document at 0)."""

    def decide(doc: Document | None) -> Document:
        doc = doc or {field: 0}
        return doc | {field: doc[field] + amount}

    return decide


async def test_a_new_document_is_created_at_revision_one(docs: Documents) -> None:
    written = await change(docs, "a", add("n"))
    stored = await docs.load("a")
    assert written.changed
    assert stored is not None and stored["n"] == 1 and stored[REV] == 1


async def test_the_second_insert_of_an_id_loses(docs: Documents) -> None:
    results = await asyncio.gather(*(docs.create({"_id": f"k{i // 2}"}) for i in range(PAIRS * 2)))
    for i in range(PAIRS):
        assert sorted(results[2 * i : 2 * i + 2]) == [False, True]


async def test_a_guarded_write_at_a_stale_revision_loses(docs: Documents) -> None:
    await docs.create({"_id": "g", "v": "first"})
    assert await docs.replace({"_id": "g", "v": "second"}, rev=1)
    assert not await docs.replace({"_id": "g", "v": "stale"}, rev=1)
    stored = await docs.load("g")
    assert stored is not None and stored["v"] == "second" and stored[REV] == 2


async def test_of_racing_guarded_writes_exactly_one_wins_each_time(docs: Documents) -> None:
    ids = [f"race{i}" for i in range(PAIRS)]
    await asyncio.gather(*(docs.create({"_id": i, "v": None}) for i in ids))
    results = await asyncio.gather(
        *(docs.replace({"_id": i, "v": who}, rev=1) for i in ids for who in ("a", "b"))
    )
    both_won = sum(1 for i in range(PAIRS) if results[2 * i] and results[2 * i + 1])
    none_won = sum(1 for i in range(PAIRS) if not (results[2 * i] or results[2 * i + 1]))
    assert (both_won, none_won) == (0, 0)


async def test_concurrent_changes_of_one_document_lose_no_update(docs: Documents) -> None:
    ids = [f"set{i}" for i in range(PAIRS)]

    def put(name: str) -> Any:
        return lambda doc: (doc or {}) | {name: True}

    await asyncio.gather(*(change(docs, i, put(n)) for i in ids for n in ("x", "y")))
    stored = [await docs.load(i) for i in ids]
    lost = sum(1 for doc in stored if not (doc and doc.get("x") and doc.get("y")))
    assert lost == 0


async def test_concurrent_increments_all_count(docs: Documents) -> None:
    await asyncio.gather(*(change(docs, f"inc{i % 20}", add("n")) for i in range(400)))
    counted = [await docs.load(f"inc{i}") for i in range(20)]
    assert sum(doc["n"] for doc in counted if doc) == 400


async def test_a_dotted_or_dollar_field_name_is_refused_before_anything_is_written(
    docs: Documents,
) -> None:
    await change(docs, "d", lambda _: {"order": {"id": "o-1", "status": "pending"}})
    for name in ("order.status", "$set"):
        with pytest.raises(ValueError, match="cannot be field names"):
            await change(docs, "d", lambda stored, name=name: (stored or {}) | {name: "x"})
    assert (await docs.load("d") or {})["order"] == {"id": "o-1", "status": "pending"}


async def test_a_declined_change_writes_nothing(docs: Documents) -> None:
    await change(docs, "d", add("n"))
    written = await change(docs, "d", lambda doc: None)
    stored = await docs.load("d")
    assert not written.changed and stored is not None and stored[REV] == 1


async def test_a_document_that_never_stops_changing_raises_conflict(docs: Documents) -> None:
    await change(docs, "busy", add("n"))

    class Interfering:
        async def load(self, doc_id: str) -> Document | None:
            doc = await docs.load(doc_id)
            assert doc is not None
            await docs.replace(doc | {"other": doc[REV]}, doc[REV])  # someone writes in between
            return doc

        create = docs.create
        replace = docs.replace

    with pytest.raises(Conflict):
        await change(Interfering(), "busy", add("n"), attempts=3)


async def test_one_of_two_owners_gets_a_claim(docs: Documents) -> None:
    first, second = Claims(docs, "one", 60), Claims(docs, "two", 60)
    taken = await asyncio.gather(
        *(c.take(f"job{i}", create=True) for i in range(PAIRS) for c in (first, second))
    )
    for i in range(PAIRS):
        assert [doc is not None for doc in taken[2 * i : 2 * i + 2]].count(True) == 1


async def test_a_claim_is_not_taken_twice_even_by_its_owner(docs: Documents) -> None:
    claims = Claims(docs, "one", 60)
    assert await claims.take("job", create=True) is not None
    assert await claims.take("job") is None


async def test_an_expired_claim_can_be_taken_by_another_owner(docs: Documents) -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    first = Claims(docs, "one", 30, clock=lambda: now[0])
    second = Claims(docs, "two", 30, clock=lambda: now[0])
    await first.take("job", create=True)
    assert await second.take("job") is None
    now[0] += timedelta(seconds=31)
    claimed = await second.take("job")
    assert claimed is not None and second.holds(claimed) and not first.holds(claimed)


async def test_a_given_back_claim_is_free_and_only_its_holder_can_give_it(docs: Documents) -> None:
    first, second = Claims(docs, "one", 60), Claims(docs, "two", 60)
    await first.take("job", create=True)
    await second.give("job")
    assert await second.take("job") is None
    await first.give("job")
    assert await second.take("job") is not None


async def test_a_claim_is_only_taken_when_its_condition_holds(docs: Documents) -> None:
    await docs.create({"_id": "done", "status": "finished"})
    claims = Claims(docs, "one", 60)
    assert await claims.take("done", when=lambda doc: doc["status"] != "finished") is None
    assert await claims.take("missing") is None
