"""`/v3` buying endpoints: DID reservations and orders."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww.bodies import read_document
from velo_sandbox.didww.clock import iso
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import invalid, not_found
from velo_sandbox.didww.filters import Custom, Getter, apply_filters, apply_sort
from velo_sandbox.didww.ordering import place_order
from velo_sandbox.didww.records import Order
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import Sandbox, caller, jsonapi
from velo_sandbox.didww.validation import Rule, check

RESERVATIONS_PER_ACCOUNT = 100
ORDER_FILTERS = {
    "id": lambda o: o.id,
    "reference": lambda o: o.reference,
    "status": lambda o: o.status,
    "external_reference_id": lambda o: o.external_reference_id,
}

ORDER_SORTS: dict[str, Getter] = {
    "amount": lambda o: o.amount,
    "created_at": lambda o: o.created_at,
    "external_reference_id": lambda o: o.external_reference_id,
    "reference": lambda o: o.reference,
    "status": lambda o: o.status,
}
RESERVATION_SORTS: dict[str, Getter] = {
    "created_at": lambda r: r.created_at,
    "description": lambda r: r.description,
    "expire_at": lambda r: r.expires_at,
    "expires_at": lambda r: r.expires_at,
}


def _reservations_left(sandbox: Sandbox, api_key: str) -> int:
    held = sum(1 for r in sandbox.state.records.reservations.values() if r.api_key == api_key)
    return max(0, RESERVATIONS_PER_ACCOUNT - held)


async def create_reservation(request: Request) -> Response:
    """Holds an available DID for 10 minutes."""
    sandbox, api_key = caller(request)
    document = await read_document(request, "did_reservations", relationships=("available_did",))
    check(document.attributes, {"description": Rule("string", nullable=True)})
    number_id = document.target("available_did", "available_dids")
    if number_id is None:
        raise invalid("available_did", "can't be blank", "/data/relationships")
    description = document.attributes.get("description")
    reservation = sandbox.state.reserve(api_key, number_id, description)
    doc = Composer(request, sandbox.state, ("available_did",)).single(reservation)
    return jsonapi(doc, 201)


async def list_reservations(request: Request) -> Response:
    """Lists the caller's live reservations."""
    sandbox, api_key = caller(request)
    sandbox.state.expire_reservations()
    mine = [r for r in sandbox.state.records.reservations.values() if r.api_key == api_key]
    found = apply_filters(
        request, mine, {"id": lambda r: r.id, "description": lambda r: r.description}
    )
    found = apply_sort(request, found, RESERVATION_SORTS)
    composer = Composer(request, sandbox.state, ("available_did",))
    return jsonapi(composer.collection(found, available_count=_reservations_left(sandbox, api_key)))


async def get_reservation(request: Request) -> Response:
    """Reads one reservation."""
    sandbox, api_key = caller(request)
    reservation = sandbox.state.reservation(api_key, request.path_params["id"])
    doc = Composer(request, sandbox.state, ("available_did",)).single(reservation)
    doc["meta"]["available_count"] = _reservations_left(sandbox, api_key)
    return jsonapi(doc)


async def delete_reservation(request: Request) -> Response:
    """Releases a reservation."""
    sandbox, api_key = caller(request)
    sandbox.state.release_reservation(api_key, request.path_params["id"])
    return jsonapi(None)


async def create_order(request: Request) -> Response:
    """Places, charges and schedules an order."""
    sandbox, api_key = caller(request)
    document = await read_document(request, "orders")
    order = place_order(sandbox.state, api_key, document.attributes)
    sandbox.fulfilment.schedule(order)
    return jsonapi(Composer(request, sandbox.state).single(order), 201)


async def list_orders(request: Request) -> Response:
    """Lists the caller's orders."""
    sandbox, api_key = caller(request)
    mine = [o for o in sandbox.state.records.orders.values() if o.api_key == api_key]
    custom: dict[str, Custom] = {
        "created_at_gteq": lambda raw: lambda o: iso(o.created_at) >= raw,
        "created_at_lteq": lambda raw: lambda o: iso(o.created_at) <= raw,
    }
    found = apply_filters(request, mine, ORDER_FILTERS, custom)
    found = apply_sort(request, found, ORDER_SORTS)
    return jsonapi(Composer(request, sandbox.state).collection(found))


def _order(sandbox: Sandbox, api_key: str, order_id: str) -> Order:
    order = sandbox.state.records.orders.get(order_id)
    if order is None or order.api_key != api_key:
        raise not_found("orders", order_id)
    return order


async def get_order(request: Request) -> Response:
    """Reads one order."""
    sandbox, api_key = caller(request)
    order = _order(sandbox, api_key, request.path_params["id"])
    return jsonapi(Composer(request, sandbox.state).single(order))


async def update_order(request: Request) -> Response:
    """Changes the caller's own reference on an order, the one thing that can change."""
    sandbox, api_key = caller(request)
    order = _order(sandbox, api_key, request.path_params["id"])
    document = await read_document(request, "orders", id_=order.id)
    check(document.attributes, {"external_reference_id": Rule("string")})
    if "external_reference_id" in document.attributes:
        order.external_reference_id = document.attributes["external_reference_id"]
    return jsonapi(Composer(request, sandbox.state).single(order))


async def cancel_order(request: Request) -> Response:
    """Cancels a pending order, refunding it."""
    sandbox, api_key = caller(request)
    await sandbox.fulfilment.cancel(_order(sandbox, api_key, request.path_params["id"]))
    return jsonapi(None)


ROUTES = [
    resource("/v3/did_reservations", GET=list_reservations, POST=create_reservation),
    resource("/v3/did_reservations/{id}", GET=get_reservation, DELETE=delete_reservation),
    resource("/v3/orders", GET=list_orders, POST=create_order),
    resource("/v3/orders/{id}", GET=get_order, PATCH=update_order, DELETE=cancel_order),
]
