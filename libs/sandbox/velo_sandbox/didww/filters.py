"""`filter[name]=a,b` query filters, with DIDWW's 400 for filters an endpoint does not allow."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from starlette.requests import Request

from velo_sandbox.didww.errors import bad_request

T = TypeVar("T")
Getter = Callable[[Any], Any]
Predicate = Callable[[Any, str], bool]


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


def _matches(getter: Getter, raw: str) -> Predicate:
    wanted = {v.strip() for v in raw.split(",")}
    return lambda item, _: _as_text(getter(item)) in wanted


def apply_filters(
    request: Request,
    items: Iterable[T],
    fields: Mapping[str, Getter],
    custom: Mapping[str, Predicate] | None = None,
) -> list[T]:
    """Keeps the items matching every requested filter; unknown filter names answer 400."""
    checks: list[tuple[Predicate, str]] = []
    for name, raw in requested_filters(request).items():
        if custom and name in custom:
            checks.append((custom[name], raw))
        elif name in fields:
            checks.append((_matches(fields[name], raw), raw))
        else:
            raise bad_request("Filter not allowed", f"{name} is not allowed.", "102")
    return [item for item in items if all(check(item, raw) for check, raw in checks)]
