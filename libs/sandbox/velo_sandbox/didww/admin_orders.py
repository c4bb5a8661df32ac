"""DIDWW admin endpoints for orders, outside `/v3`: faults, completion, cancellation, new stock
for back-orders, reservation expiry and counters."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.didww.admin_http import error, json_body
from velo_sandbox.didww.runtime import sandbox_of


async def cancel_next_orders(request: Request) -> Response:
    """Makes the next `count` orders end canceled (refunded, callback sent)."""
    state = sandbox_of(request).state
    state.cancel_next_orders = int((await json_body(request)).get("count", 1))
    return JSONResponse({"cancel_next_orders": state.cancel_next_orders})


async def complete_orders(request: Request) -> Response:
    """Finishes every pending order now instead of after the delay."""
    sandbox = sandbox_of(request)
    pending = [o for o in sandbox.state.records.orders.values() if o.status == "pending"]
    for order in pending:
        await sandbox.fulfilment.finish_now(order)
    finished = sum(1 for o in pending if o.status != "pending")
    return JSONResponse({"finished": finished, "waiting_for_stock": len(pending) - finished})


async def cancel_order(request: Request) -> Response:
    """Cancels a pending order as DIDWW would (e.g. back-ordered stock never came): refunded,
    called back."""
    sandbox = sandbox_of(request)
    order = sandbox.state.records.orders.get(request.path_params["id"])
    if order is None:
        return error("no such order", 404)
    if order.status != "pending":
        return error(f"order is {order.status}", 409)
    await sandbox.fulfilment.cancel(order)
    return JSONResponse({"id": order.id, "status": order.status})


async def add_stock(request: Request) -> Response:
    """Adds numbers to a DID group (`{"count": 5}`; the group's id or its SKU's in the path);
    waiting back-orders get them first."""
    sandbox = sandbox_of(request)
    group = sandbox.state.catalog.group_of(request.path_params["id"])
    count = (await json_body(request)).get("count", 1)
    if group is None:
        return error("no such DID group or SKU", 404)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 10_000:
        return error("count must be an integer from 1 to 10000")
    filled = sandbox.fulfilment.restock(group, count)
    return JSONResponse(
        {
            "did_group_id": group.id,
            "added": count,
            "stock": sandbox.state.stock(group.id),
            "back_orders_filled": [o.id for o in filled],
        }
    )


async def expire_reservations(request: Request) -> Response:
    """Expires one reservation (`{"id": ...}`) or those past their time, now."""
    state = sandbox_of(request).state
    expired = state.expire_reservations(only=(await json_body(request)).get("id"))
    return JSONResponse({"expired": expired})


async def order_counters(request: Request) -> Response:
    """Counts orders created per external_reference_id, and lists callbacks sent."""
    sandbox = sandbox_of(request)
    deliveries = [vars(d) for d in sandbox.fulfilment.deliveries]
    return JSONResponse(
        {
            "by_external_reference_id": dict(sandbox.state.orders_by_reference),
            "callbacks": deliveries,
            "callbacks_withheld": list(sandbox.fulfilment.withheld),
        }
    )


def order_admin_routes(base: str) -> list[Route]:
    """Returns the order-related admin routes."""
    return [
        Route(f"{base}/orders/cancel_next", cancel_next_orders, methods=["POST"]),
        Route(f"{base}/orders/complete", complete_orders, methods=["POST"]),
        Route(f"{base}/orders/{{id}}/cancel", cancel_order, methods=["POST"]),
        Route(f"{base}/did_groups/{{id}}/stock", add_stock, methods=["POST"]),
        Route(f"{base}/reservations/expire", expire_reservations, methods=["POST"]),
        Route(f"{base}/counters/orders", order_counters, methods=["GET"]),
    ]
