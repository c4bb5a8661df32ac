"""`/v3/dids`: the numbers an account owns; routing, notes, capacity and termination."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww.bodies import Document, read_document
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import invalid
from velo_sandbox.didww.filters import Getter, apply_filters, apply_sort
from velo_sandbox.didww.records import Did
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import caller, jsonapi
from velo_sandbox.didww.state import SandboxState
from velo_sandbox.didww.validation import Rule, check

DID_INCLUDES = (
    "did_group",
    "order",
    "capacity_pool",
    "shared_capacity_group",
    "address_verification",
    "voice_in_trunk",
    "voice_in_trunk_group",
    "emergency_calling_service",
    "emergency_verification",
    "identity",
)
DID_FILTERS = {
    "id": lambda d: d.id,
    "number": lambda d: d.number,
    "order.id": lambda d: d.order_id,
    "did_group.id": lambda d: d.group_id,
    "voice_in_trunk.id": lambda d: d.trunk_id,
    "terminated": lambda d: d.terminated,
    "blocked": lambda d: d.blocked,
    "awaiting_registration": lambda d: d.awaiting_registration,
    "description": lambda d: d.description,
}
DID_SORTS: dict[str, Getter] = {
    "awaiting_registration": lambda d: d.awaiting_registration,
    "billing_cycles_count": lambda d: d.billing_cycles_count,
    "blocked": lambda d: d.blocked,
    "capacity_limit": lambda d: d.capacity_limit,
    "channels_included_count": lambda d: 2,
    "created_at": lambda d: d.created_at,
    "dedicated_channels_count": lambda d: 0,
    "description": lambda d: d.description,
    "expires_at": lambda d: d.expires_at,
    "number": lambda d: d.number,
    "terminated": lambda d: d.terminated,
}
DID_RULES = {
    "description": Rule("string", nullable=True),
    "capacity_limit": Rule("integer", nullable=True, minimum=0),
    "terminated": Rule("boolean"),
    "billing_cycles_count": Rule("integer", nullable=True, minimum=0),
    "dedicated_channels_count": Rule("integer", minimum=0),
}
DID_RELATIONSHIPS = (
    "capacity_pool",
    "shared_capacity_group",
    "address_verification",
    "voice_in_trunk",
    "voice_in_trunk_group",
    "emergency_calling_service",
)
UNSUPPORTED = tuple(name for name in DID_RELATIONSHIPS if name != "voice_in_trunk")
"""Relationships to resources the sandbox has none of: only clearing them is accepted."""


async def list_dids(request: Request) -> Response:
    """Lists the caller's DIDs."""
    sandbox, api_key = caller(request)
    found = apply_filters(request, sandbox.state.dids(api_key), DID_FILTERS)
    found = apply_sort(request, found, DID_SORTS)
    return jsonapi(Composer(request, sandbox.state, DID_INCLUDES).collection(found))


async def get_did(request: Request) -> Response:
    """Reads one DID."""
    sandbox, api_key = caller(request)
    did = sandbox.state.did(api_key, request.path_params["id"])
    return jsonapi(Composer(request, sandbox.state, DID_INCLUDES).single(did))


async def update_did(request: Request) -> Response:
    """Updates a DID: routing, note, capacity; `terminated: true` cancels it."""
    sandbox, api_key = caller(request)
    did = sandbox.state.did(api_key, request.path_params["id"])
    document = await read_document(request, "dids", id_=did.id, relationships=DID_RELATIONSHIPS)
    _apply_did_update(sandbox.state, did, document)
    return jsonapi(Composer(request, sandbox.state, DID_INCLUDES).single(did))


def _apply_did_update(state: SandboxState, did: Did, document: Document) -> None:
    check(document.attributes, DID_RULES)
    for name in UNSUPPORTED:
        if document.relationships.get(name) is not None:
            raise invalid(name, "is invalid", "/data/relationships")
    if "voice_in_trunk" in document.relationships:
        state.route(did, document.target("voice_in_trunk", "voice_in_trunks"))
    attributes = document.attributes
    for name in ("description", "capacity_limit", "billing_cycles_count"):
        if name in attributes:
            setattr(did, name, attributes[name])
    if attributes.get("terminated") is True and not did.terminated:
        state.terminate(did)


ROUTES = [
    resource("/v3/dids", GET=list_dids),
    resource("/v3/dids/{id}", GET=get_did, PATCH=update_did),
]
