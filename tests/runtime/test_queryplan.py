"""The project's own query-plan check: a query no declared index serves is caught."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pymongo import DESCENDING

from velo_runtime import IndexSpec
from velo_runtime.queryplan import QueryAudit, is_served, shape_of

PAGE = IndexSpec("events", [("tenant_id", 1), ("occurred_at", -1), ("_id", -1)])
BY_NUMBER = IndexSpec("events", [("tenant_id", 1), ("number", 1), ("occurred_at", -1)])
NEWEST = {"occurred_at": -1, "_id": -1}


def served(query: dict[str, object], sort: dict[str, int] | None = None) -> bool:
    return is_served("events", shape_of(query, sort), [PAGE, BY_NUMBER])


def test_a_tenant_page_sorted_newest_first_is_served() -> None:
    assert served({"tenant_id": "acme"}, NEWEST)


def test_the_same_sort_reversed_is_served_by_walking_the_index_backwards() -> None:
    assert served({"tenant_id": "acme"}, {"occurred_at": 1, "_id": 1})


def test_a_sort_with_mixed_directions_the_index_lacks_is_not_served() -> None:
    assert not served({"tenant_id": "acme"}, {"occurred_at": 1, "_id": -1})


def test_a_keyset_cursor_ranges_over_the_sort_keys_and_stays_served() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    after = {"$or": [{"occurred_at": {"$lt": at}}, {"occurred_at": at, "_id": {"$lt": "x"}}]}
    assert served({"$and": [{"tenant_id": "acme"}, after]}, NEWEST)


def test_a_filter_on_a_field_no_index_leads_with_is_not_served() -> None:
    assert not served({"number": "+4930123"})


def test_a_sort_the_index_does_not_hold_after_the_equality_prefix_is_not_served() -> None:
    assert not served({"tenant_id": "acme"}, {"type": 1})


def test_further_equalities_are_filtered_on_an_index_that_serves_prefix_and_sort() -> None:
    assert served({"tenant_id": "acme", "type": "NumberAssigned"}, NEWEST)


def test_in_counts_as_equality_and_ne_as_a_range() -> None:
    shape = shape_of({"tenant_id": {"$in": ["a", "b"]}, "status": {"$ne": "released"}})
    assert shape.equal == {"tenant_id"} and shape.ranged == {"status"}


def test_lookups_by_id_are_always_served() -> None:
    assert served({"_id": "acme|+4930", "rev": 3})


def test_a_read_of_the_whole_collection_is_deliberate() -> None:
    assert served({})


@pytest.mark.infra
async def test_the_listener_records_a_query_sent_without_a_serving_index(mongo_url: str) -> None:
    from velo_runtime import create_mongo_client

    seen: list[str] = []
    client = create_mongo_client(mongo_url, [QueryAudit("planned", [PAGE], record=seen)])
    try:
        events = client["planned"]["events"]
        await events.find({"tenant_id": "acme"}).sort([("occurred_at", DESCENDING)]).to_list()
        assert seen == []
        await events.find({"actor": "admin@acme"}).to_list()
        assert len(seen) == 1 and "actor" in seen[0]
    finally:
        await client.drop_database("planned")
        await client.close()
