"""The project's own query planner check: every query a service sends has an index that serves it.

The local engine cannot `explain`, so each query is checked against the indexes the service
declares (`IndexSpec`), the way MongoDB would pick one: the index's leading keys are fields the
filter fixes by equality (in any order), then the sort keys follow in order (all in the index's
direction or all reversed); range conditions may use the keys after those. `_id` is always
indexed. A query no declared index serves is logged as `query_without_index` and recorded, so a
test fails on it (`uncovered()`), and production dashboards can count it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo import monitoring

from velo_runtime.logs import get_logger
from velo_runtime.mongo import IndexSpec

log = get_logger(__name__)
EQUALITY_OPERATORS = {"$eq", "$in"}


@dataclass(frozen=True)
class Shape:
    """What a query fixes, ranges over and sorts by."""

    equal: frozenset[str]
    ranged: frozenset[str]
    sort: tuple[tuple[str, int], ...]


def shape_of(query: Mapping[str, Any], sort: Mapping[str, Any] | None = None) -> Shape:
    """Returns the shape of a filter and sort, as the planner sees it."""
    equal: set[str] = set()
    ranged: set[str] = set()
    _collect(query, equal, ranged)
    order = tuple((field, int(direction)) for field, direction in (sort or {}).items())
    return Shape(frozenset(equal), frozenset(ranged - equal), order)


def _collect(query: Mapping[str, Any], equal: set[str], ranged: set[str]) -> None:
    for field, value in query.items():
        if field == "$and":
            for part in value:
                _collect(part, equal, ranged)
        elif field in ("$or", "$nor"):
            for part in value:
                _collect(part, set(), ranged)  # a branch narrows a range, fixes nothing
        elif field.startswith("$"):
            continue
        elif isinstance(value, Mapping) and any(k.startswith("$") for k in value):
            (equal if set(value) <= EQUALITY_OPERATORS else ranged).add(field)
        else:
            equal.add(field)


def serves(index: IndexSpec, shape: Shape) -> bool:
    """Tells whether the index serves the query shape."""
    keys = [field for field, _ in index.keys]
    prefix = 0
    while prefix < len(keys) and keys[prefix] in shape.equal:
        prefix += 1
    if shape.sort:
        return prefix > 0 and _sorted_by(index.keys[prefix:], shape.sort)
    return prefix > 0 or (bool(keys) and keys[0] in shape.ranged)


def _sorted_by(keys: list[tuple[str, int]], sort: tuple[tuple[str, int], ...]) -> bool:
    if len(keys) < len(sort) or [f for f, _ in keys[: len(sort)]] != [f for f, _ in sort]:
        return False
    same = [k[1] == s[1] for k, s in zip(keys, sort, strict=False)]
    return all(same) or not any(same)


def is_served(collection: str, shape: Shape, indexes: Iterable[IndexSpec]) -> bool:
    """Tells whether some index of the collection (or `_id`) serves the shape."""
    if not shape.equal and not shape.ranged and not shape.sort:
        return True  # a deliberate read of the whole collection
    by_id = IndexSpec(collection, [("_id", 1)])
    return any(serves(i, shape) for i in [by_id, *indexes] if i.collection == collection)


_UNCOVERED: list[str] = []


def uncovered() -> list[str]:
    """Returns every query seen without a serving index (in this process), oldest first."""
    return list(_UNCOVERED)


class QueryAudit(monitoring.CommandListener):
    """Checks each query a client sends against the indexes declared for its database."""

    def __init__(
        self, database: str, indexes: Iterable[IndexSpec], record: list[str] | None = None
    ):
        self.database = database
        self.indexes = list(indexes)
        self.record = _UNCOVERED if record is None else record

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Checks the filters of a read or write command."""
        if event.database_name != self.database:
            return
        for collection, query, sort in _queries(event.command_name, event.command):
            shape = shape_of(query, sort)
            if not is_served(collection, shape, self.indexes):
                described = f"{self.database}.{collection} filter={dict(query)} sort={sort}"
                self.record.append(described)
                log.error("query_without_index", query=described)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Nothing to check once a command answered."""

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """Nothing to check when a command failed."""


Query = tuple[str, Mapping[str, Any], Mapping[str, Any] | None]


def _queries(name: str, command: Mapping[str, Any]) -> list[Query]:
    collection = command.get(name)
    if not isinstance(collection, str):
        return []
    match name:
        case "find":
            return [(collection, command.get("filter") or {}, command.get("sort"))]
        case "count" | "distinct":
            return [(collection, command.get("query") or {}, None)]
        case "findAndModify":
            return [(collection, command.get("query") or {}, command.get("sort"))]
        case "update":
            return [(collection, u.get("q") or {}, None) for u in command.get("updates", [])]
        case "delete":
            return [(collection, d.get("q") or {}, None) for d in command.get("deletes", [])]
        case "aggregate":
            first = (command.get("pipeline") or [{}])[0]
            return [(collection, first.get("$match") or {}, None)] if "$match" in first else []
    return []
