"""Orders as DIDWW runs them: charged when placed, completed when every number is there (at
once, or after back-ordered stock arrives), or canceled and refunded."""

from __future__ import annotations

import random
import string
from decimal import Decimal
from typing import Any

from velo_sandbox.didww.catalog import DidGroup
from velo_sandbox.didww.errors import insufficient_funds, invalid
from velo_sandbox.didww.order_items import Pick, checked_items, fits, pick
from velo_sandbox.didww.records import Order, OrderLine
from velo_sandbox.didww.state import BILLING_PERIOD, SandboxState, new_id

_rng = random.Random()  # noqa: S311 - order references, not secrets


def place_order(state: SandboxState, api_key: str, attributes: dict[str, Any]) -> Order:
    """Validates, charges and records an order; the numbers it gets leave the pool at once.

    `allow_back_ordering` (DIDWW's default: true) lets a qty beyond the stock wait for more.
    """
    state.expire_reservations()
    items = checked_items(attributes)
    back_ordering = attributes.get("allow_back_ordering", True)
    lines = [_line(pick(state, api_key, i, item, back_ordering)) for i, item in enumerate(items)]
    amount = sum((line.nrc + line.mrc for line in lines), Decimal(0))
    _charge(state, api_key, amount)
    callback_url = attributes.get("callback_url")
    order = Order(
        id=new_id(),
        api_key=api_key,
        reference=_reference(),
        amount=amount,
        created_at=state.clock.now(),
        lines=lines,
        callback_url=callback_url,
        callback_method=attributes.get("callback_method") or ("post" if callback_url else None),
        external_reference_id=attributes.get("external_reference_id"),
        doomed=_take_cancel_fault(state),
    )
    for line in order.lines:
        _hold(state, order, line.number_ids)
    state.records.orders[order.id] = order
    if order.external_reference_id:
        state.orders_by_reference[order.external_reference_id] += 1
    return order


def _line(chosen: Pick) -> OrderLine:
    return OrderLine(
        sku_id=chosen.sku.id,
        group_id=chosen.group.id,
        qty=chosen.qty,
        nrc=chosen.sku.setup_price * chosen.qty,
        mrc=chosen.sku.monthly_price * chosen.qty,
        number_ids=[n.id for n in chosen.numbers],
        nanpa_prefix_id=chosen.nanpa_prefix_id,
        billing_cycles_count=chosen.billing_cycles_count,
    )


def _charge(state: SandboxState, api_key: str, amount: Decimal) -> None:
    account = state.records.accounts[api_key]
    if account.balance + account.credit < amount:
        raise insufficient_funds(f"{amount:.2f}", f"{account.balance + account.credit:.2f}")
    account.balance -= amount


def _hold(state: SandboxState, order: Order, number_ids: list[str]) -> None:
    for number_id in number_ids:
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


def fill_backorders(state: SandboxState, group: DidGroup) -> list[Order]:
    """Gives the group's free numbers to its waiting orders, oldest first; returns the orders
    that now have every number."""
    filled = []
    for order in sorted(state.records.orders.values(), key=lambda o: o.created_at):
        waiting = [line for line in order.lines if line.group_id == group.id and line.waiting]
        if order.status != "pending" or not waiting:
            continue
        for line in waiting:
            free = [n.id for n in state.free_numbers(group.id) if fits(n, line.nanpa_prefix_id)]
            taken = free[: line.waiting]
            line.number_ids += taken
            _hold(state, order, taken)
        if not order.waiting:
            filled.append(order)
    return filled


def finish_order(state: SandboxState, order: Order) -> None:
    """Completes a pending order that has all its numbers (delivering its DIDs); cancels it if a
    fault says so; leaves a back-order waiting for stock."""
    if order.status != "pending":
        return
    if order.doomed:
        cancel_order(state, order)
        return
    if order.waiting:
        return
    now = state.clock.now()
    for line in order.lines:
        line.billed_from, line.billed_to = now, now + BILLING_PERIOD
        for number_id in line.number_ids:
            did = state.deliver(order.api_key, state.catalog.number(number_id), order.id)
            did.billing_cycles_count = line.billing_cycles_count
    order.status = "completed"


def cancel_order(state: SandboxState, order: Order) -> None:
    """Cancels a pending order: refunds it in full and frees the numbers it held."""
    if order.status != "pending":
        raise invalid("base", "order can not be canceled")
    for line in order.lines:
        for number_id in line.number_ids:
            if state.records.holds.get(number_id) == order.id:
                del state.records.holds[number_id]
    state.records.accounts[order.api_key].balance += order.amount
    order.status = "canceled"
