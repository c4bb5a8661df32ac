"""`filter[name]=a,b` and `sort=a,-b` query parameters, with DIDWW's 400 for a filter, value or
sort field an endpoint does not take."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

from starlette.requests import Request

from velo_sandbox.didww.errors import bad_request

T = TypeVar("T")
Getter = Callable[[Any], Any]
Test = Callable[[Any], bool]
Custom = Callable[[str], Test]
"""Turns a filter's raw value into a test of items, refusing a bad value with a 400."""


def requested_filters(request: Request) -> dict[str, str]:
    """Returns the filters of request by name."""
    return {
        key[7:-1]: value
        for key, value in request.query_params.items()
        if key.startswith("filter[") and key.endswith("]")
    }


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def values(raw: str) -> set[str]:
    """Returns the comma-separated values of a filter."""
    return {v.strip() for v in raw.split(",")}


def equals(getter: Getter) -> Custom:
    """Matches items whose value is any of the comma-separated values."""

    def build(raw: str) -> Test:
        wanted = values(raw)
        return lambda item: _as_text(getter(item)) in wanted

    return build


def has_all(getter: Getter, known: Collection[str]) -> Custom:
    """Matches items whose collection holds every listed value (an unknown value answers 400)."""

    def build(raw: str) -> Test:
        wanted = values(raw)
        unknown = sorted(wanted - set(known))
        if unknown:
            raise bad_request("Invalid filter value", f"{unknown[0]} is not a valid value.", "107")
        return lambda item: wanted <= set(getter(item))

    return build


def at_least(getter: Getter) -> Custom:
    """Matches items whose number is at least the (integer) value."""

    def build(raw: str) -> Test:
        try:
            bound = int(raw)
        except ValueError:
            raise bad_request("Invalid filter value", f"{raw} is not an integer.", "107") from None
        return lambda item: int(getter(item)) >= bound

    return build


def apply_filters(
    request: Request,
    items: Iterable[T],
    fields: Mapping[str, Getter],
    custom: Mapping[str, Custom] | None = None,
) -> list[T]:
    """Keeps the items matching every requested filter; unknown filter names answer 400."""
    tests: list[Test] = []
    for name, raw in requested_filters(request).items():
        if custom and name in custom:
            tests.append(custom[name](raw))
        elif name in fields:
            tests.append(equals(fields[name])(raw))
        else:
            raise bad_request("Filter not allowed", f"{name} is not allowed.", "102")
    return [item for item in items if all(test(item) for test in tests)]


def apply_sort(request: Request, items: list[T], keys: Mapping[str, Getter]) -> list[T]:
    """Orders items by `sort=a,-b` (`-`: descending; nulls first ascending); an unknown field
    answers 400."""
    raw = request.query_params.get("sort")
    if raw is None:
        return items
    ordered = list(items)
    for field in reversed(raw.split(",")):
        name = field.strip().removeprefix("-")
        if name not in keys:
            raise bad_request(
                "Invalid sort criteria", f"{name} is not a valid sort criteria.", "114"
            )
        getter = keys[name]
        ordered.sort(key=lambda item: _sort_key(getter(item)), reverse=field.strip() != name)
    return ordered


def _sort_key(value: Any) -> tuple[bool, Any]:
    return (value is not None, value if value is not None else 0)


def contains(getter: Getter) -> Custom:
    """Matches items whose text holds the value (case-insensitive)."""

    def build(raw: str) -> Test:
        wanted = raw.casefold()
        return lambda item: wanted in _as_text(getter(item)).casefold()

    return build


def text_filters(fields: Mapping[str, Getter]) -> dict[str, Custom]:
    """Returns `<name>_contains` filters for text fields."""
    return {f"{name}_contains": contains(getter) for name, getter in fields.items()}
