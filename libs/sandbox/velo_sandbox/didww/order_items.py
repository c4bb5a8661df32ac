"""Order items as DIDWW checks them: which SKU, which numbers, and how many may wait for stock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from velo_sandbox.didww.catalog import DidGroup, Number, Sku
from velo_sandbox.didww.errors import invalid
from velo_sandbox.didww.state import SandboxState
from velo_sandbox.didww.validation import Rule, check

SELECTORS = ("qty", "available_did_id", "did_reservation_id")
ORDER_RULES = {
    "allow_back_ordering": Rule("boolean"),
    "callback_url": Rule("string"),
    "callback_method": Rule("string", choices=("get", "post")),
    "external_reference_id": Rule("string"),
}
ITEM_RULES = {
    "sku_id": Rule("string"),
    "qty": Rule("integer", minimum=1),
    "did_reservation_id": Rule("string"),
    "available_did_id": Rule("string"),
    "nanpa_prefix_id": Rule("string"),
    "billing_cycles_count": Rule("integer", minimum=0),
}


@dataclass(frozen=True)
class Pick:
    """One item resolved: what it buys, the numbers it gets now, how many it waits for."""

    sku: Sku
    group: DidGroup
    qty: int
    numbers: list[Number]
    nanpa_prefix_id: str | None
    billing_cycles_count: int | None


def checked_items(attributes: dict[str, Any]) -> list[Any]:
    """Checks an order's attributes; returns its items."""
    check({k: v for k, v in attributes.items() if k != "items"}, ORDER_RULES)
    url = attributes.get("callback_url")
    if url is not None and not _is_web_url(url):
        raise invalid("callback_url")
    items = attributes.get("items")
    if not isinstance(items, list) or not items:
        raise invalid("items", "can't be blank")
    return items


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        return False


def pick(state: SandboxState, api_key: str, index: int, item: Any, back_ordering: bool) -> Pick:
    """Resolves item `index`; with back_ordering, a qty beyond the stock waits for more."""
    path = f"items/{index}"
    attrs = item.get("attributes") if isinstance(item, dict) else None
    if not isinstance(attrs, dict) or item.get("type") != "did_order_items":
        raise invalid(path, "is invalid")
    check(attrs, ITEM_RULES, f"{path}/")
    chosen = [name for name in SELECTORS if attrs.get(name) is not None]
    if len(chosen) != 1:
        raise invalid(path, "must have exactly one of " + ", ".join(SELECTORS))
    sku, group = _sku(state, attrs.get("sku_id"), path)
    prefix = _prefix(group, attrs.get("nanpa_prefix_id"), path)
    if chosen[0] == "qty":
        numbers = _take(state, group, prefix, attrs["qty"], back_ordering, path)
    else:
        numbers = [_named(state, api_key, path, chosen[0], attrs[chosen[0]], group, prefix)]
    qty = attrs.get("qty", 1)
    return Pick(sku, group, qty, numbers, prefix, attrs.get("billing_cycles_count"))


def _sku(state: SandboxState, sku_id: Any, path: str) -> tuple[Sku, DidGroup]:
    sku = state.catalog.by_id.get(sku_id) if isinstance(sku_id, str) else None
    group = state.catalog.group_of(sku_id)
    if not isinstance(sku, Sku) or group is None:
        raise invalid(f"{path}/sku_id")
    return sku, group


def _prefix(group: DidGroup, prefix_id: str | None, path: str) -> str | None:
    if prefix_id is not None and prefix_id not in {p.id for p in group.nanpa_prefixes}:
        raise invalid(f"{path}/nanpa_prefix_id")
    return prefix_id


def fits(number: Number, prefix_id: str | None) -> bool:
    """Tells whether number lies in the NANPA prefix an item asks for (if it asks for one)."""
    return prefix_id is None or (
        number.nanpa_prefix is not None and number.nanpa_prefix.id == prefix_id
    )


def _take(
    state: SandboxState,
    group: DidGroup,
    prefix: str | None,
    qty: int,
    back_ordering: bool,
    path: str,
) -> list[Number]:
    free = [n for n in state.free_numbers(group.id) if fits(n, prefix)]
    if qty > len(free) and not back_ordering:
        raise invalid(f"{path}/qty", "exceeds available DIDs count")
    return free[:qty]


def _named(
    state: SandboxState,
    api_key: str,
    path: str,
    selector: str,
    value: str,
    group: DidGroup,
    prefix: str | None,
) -> Number:
    if selector == "available_did_id":
        number = state.catalog.by_id.get(value)
        if not isinstance(number, Number) or not state.is_available(number):
            raise invalid(f"{path}/available_did_id")
    else:
        reservation = state.records.reservations.get(value)
        if reservation is None or reservation.api_key != api_key:
            raise invalid(f"{path}/did_reservation_id")
        number = state.catalog.number(reservation.number_id)
    if number.group.id != group.id:
        raise invalid(f"{path}/sku_id")
    if not fits(number, prefix):
        raise invalid(f"{path}/nanpa_prefix_id")
    return number
