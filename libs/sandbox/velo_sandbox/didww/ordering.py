"""Orders: validation of items, charging, fulfilment and cancellation as DIDWW does them."""

from __future__ import annotations

import random
import string
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from velo_sandbox.didww.catalog import DidGroup, Number, Sku
from velo_sandbox.didww.errors import insufficient_funds, invalid
from velo_sandbox.didww.records import Order, OrderLine
from velo_sandbox.didww.state import BILLING_PERIOD, SandboxState, new_id
from velo_sandbox.didww.validation import Rule, check

_SELECTORS = ("qty", "available_did_id", "did_reservation_id")
_rng = random.Random()  # noqa: S311 - order references, not secrets
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


def _checked_items(attributes: dict[str, Any]) -> list[Any]:
    """Checks the order's attributes; returns its items."""
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


def place_order(state: SandboxState, api_key: str, attributes: dict[str, Any]) -> Order:
    """Validates, charges and records an order; its numbers leave the pool at once."""
    state.expire_reservations()
    items = _checked_items(attributes)
    allow_back_ordering = attributes.get("allow_back_ordering", True)
    picks = [_pick(state, api_key, i, item, allow_back_ordering) for i, item in enumerate(items)]
    lines = [_line(sku, group, numbers) for sku, group, numbers in picks]
    amount = sum((line.nrc + line.mrc for line in lines), Decimal(0))
    _charge(state, api_key, amount)
    order = Order(
        id=new_id(),
        api_key=api_key,
        reference=_reference(),
        amount=amount,
        created_at=state.clock.now(),
        lines=lines,
        callback_url=attributes.get("callback_url"),
        callback_method=attributes.get("callback_method")
        or ("post" if attributes.get("callback_url") else None),
        external_reference_id=attributes.get("external_reference_id"),
        doomed=_take_cancel_fault(state),
    )
    _hold(state, order)
    state.records.orders[order.id] = order
    if order.external_reference_id:
        state.orders_by_reference[order.external_reference_id] += 1
    return order


def _pick(
    state: SandboxState, api_key: str, index: int, item: Any, back_ordering: bool
) -> tuple[Sku, DidGroup, list[Number]]:
    attrs = item.get("attributes") if isinstance(item, dict) else None
    if not isinstance(attrs, dict) or item.get("type") != "did_order_items":
        raise invalid(f"items/{index}", "is invalid")
    check(attrs, ITEM_RULES, f"items/{index}/")
    chosen = [name for name in _SELECTORS if attrs.get(name) is not None]
    if len(chosen) != 1:
        raise invalid(f"items/{index}", "must have exactly one of " + ", ".join(_SELECTORS))
    sku_and_group = _sku(state, attrs.get("sku_id"))
    if sku_and_group is None:
        raise invalid(f"items/{index}/sku_id")
    sku, group = sku_and_group
    numbers = _numbers(state, api_key, f"items/{index}", chosen[0], attrs[chosen[0]], group)
    return sku, group, numbers


def _sku(state: SandboxState, sku_id: Any) -> tuple[Sku, DidGroup] | None:
    for group in state.catalog.groups:
        for sku in group.skus:
            if sku.id == sku_id:
                return sku, group
    return None


def _numbers(
    state: SandboxState, api_key: str, path: str, selector: str, value: Any, group: DidGroup
) -> list[Number]:
    if selector == "qty":
        free = state.free_numbers(group.id)
        if not isinstance(value, int) or value < 1:
            raise invalid(f"{path}/qty", "must be greater than 0")
        if value > len(free):
            raise invalid(f"{path}/qty", "exceeds available DIDs count")
        return free[:value]
    if selector == "available_did_id":
        candidate = state.catalog.by_id.get(value)
        if not isinstance(candidate, Number) or not state.is_available(candidate):
            raise invalid(f"{path}/available_did_id")
        number = candidate
    else:
        reservation = state.records.reservations.get(str(value))
        if reservation is None or reservation.api_key != api_key:
            raise invalid(f"{path}/did_reservation_id")
        number = state.catalog.number(reservation.number_id)
    if number.group.id != group.id:
        raise invalid(f"{path}/sku_id")
    return [number]


def _line(sku: Sku, group: DidGroup, numbers: list[Number]) -> OrderLine:
    qty = len(numbers)
    return OrderLine(
        sku_id=sku.id,
        group_id=group.id,
        qty=qty,
        nrc=sku.setup_price * qty,
        mrc=sku.monthly_price * qty,
        number_ids=[n.id for n in numbers],
    )


def _charge(state: SandboxState, api_key: str, amount: Decimal) -> None:
    account = state.records.accounts[api_key]
    if account.balance + account.credit < amount:
        raise insufficient_funds(f"{amount:.2f}", f"{account.balance + account.credit:.2f}")
    account.balance -= amount


def _hold(state: SandboxState, order: Order) -> None:
    for line in order.lines:
        for number_id in line.number_ids:
            holder = state.records.holds.get(number_id)
            if holder in state.records.reservations:
                del state.records.reservations[holder]
            state.records.holds[number_id] = order.id


def _take_cancel_fault(state: SandboxState) -> bool:
    if state.cancel_next_orders > 0:
        state.cancel_next_orders -= 1
        return True
    return False


def _reference() -> str:
    letters = "".join(_rng.choices(string.ascii_uppercase, k=3))
    return f"{letters}-{_rng.randint(100000, 999999)}"


def finish_order(state: SandboxState, order: Order) -> None:
    """Completes a pending order (delivering its DIDs) or cancels it if a fault says so."""
    if order.status != "pending":
        return
    if order.doomed:
        cancel_order(state, order)
        return
    now = state.clock.now()
    for line in order.lines:
        line.billed_from, line.billed_to = now, now + BILLING_PERIOD
        for number_id in line.number_ids:
            state.deliver(order.api_key, state.catalog.number(number_id), order.id)
    order.status = "completed"


def cancel_order(state: SandboxState, order: Order) -> None:
    """Cancels a pending order: refunds it and frees its numbers."""
    if order.status != "pending":
        raise invalid("base", "order can not be canceled")
    for line in order.lines:
        for number_id in line.number_ids:
            if state.records.holds.get(number_id) == order.id:
                del state.records.holds[number_id]
    state.records.accounts[order.api_key].balance += order.amount
    order.status = "canceled"
