"""Query parameters of JSON:API requests: filters, includes, pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

FilterValue = str | int | bool | Iterable[str]
Filters = Mapping[str, FilterValue]
"""Filters by name, dotted for relationships: `{"country.id": ..., "needs_registration": False}`."""


def _render(value: FilterValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    return ",".join(value)


def query(filters: Filters | None = None, include: Iterable[str] = ()) -> dict[str, str]:
    """Returns the query parameters for filters and includes."""
    params = {f"filter[{name}]": _render(v) for name, v in (filters or {}).items()}
    included = ",".join(include)
    if included:
        params["include"] = included
    return params


def page(params: Mapping[str, str], number: int, size: int) -> dict[str, str]:
    """Returns params asking for one page of a collection."""
    return {**params, "page[number]": str(number), "page[size]": str(size)}
