"""`/v3` endpoints of owned things: DIDs and voice_in_trunks."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import bad_request, invalid
from velo_sandbox.didww.filters import apply_filters
from velo_sandbox.didww.records import Did, Trunk
from velo_sandbox.didww.runtime import caller, jsonapi, request_data
from velo_sandbox.didww.sip_defaults import SIP_DEFAULTS
from velo_sandbox.didww.state import SandboxState, new_id

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
DID_ATTRIBUTES = {
    "description",
    "capacity_limit",
    "terminated",
    "billing_cycles_count",
    "dedicated_channels_count",
}
TRUNK_DEFAULTS: dict[str, Any] = {
    "description": None,
    "external_reference_id": None,
    "priority": 1,
    "weight": 100,
    "capacity_limit": None,
    "cli_format": "e164",
    "cli_prefix": None,
    "ringing_timeout": None,
}


async def list_dids(request: Request) -> Response:
    """Lists the caller's DIDs."""
    sandbox, api_key = caller(request)
    found = apply_filters(request, sandbox.state.dids(api_key), DID_FILTERS)
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
    data = await request_data(request)
    _apply_did_update(sandbox.state, did, data)
    return jsonapi(Composer(request, sandbox.state, DID_INCLUDES).single(did))


def _apply_did_update(state: SandboxState, did: Did, data: dict[str, Any]) -> None:
    attributes = data.get("attributes") or {}
    unknown = set(attributes) - DID_ATTRIBUTES
    if unknown:
        raise bad_request("Param not allowed", f"{sorted(unknown)[0]} is not allowed.", "105")
    relationships = data.get("relationships") or {}
    if (relationships.get("voice_in_trunk_group") or {}).get("data"):
        raise invalid(
            "voice_in_trunk_group", "is not supported by the sandbox", "/data/relationships"
        )
    if "voice_in_trunk" in relationships:
        linkage = (relationships["voice_in_trunk"] or {}).get("data")
        state.route(did, linkage["id"] if linkage else None)
    for name in ("description", "capacity_limit", "billing_cycles_count"):
        if name in attributes:
            setattr(did, name, attributes[name])
    if attributes.get("terminated") is True and not did.terminated:
        state.terminate(did)


async def list_trunks(request: Request) -> Response:
    """Lists the caller's trunks."""
    sandbox, api_key = caller(request)
    fields = {
        "id": lambda t: t.id,
        "name": lambda t: t.name,
        "external_reference_id": lambda t: t.attributes.get("external_reference_id"),
        "configuration.type": lambda t: t.configuration["type"],
    }
    found = apply_filters(request, sandbox.state.trunks(api_key), fields)
    return jsonapi(
        Composer(request, sandbox.state, ("voice_in_trunk_group", "pop")).collection(found)
    )


async def create_trunk(request: Request) -> Response:
    """Creates a trunk."""
    sandbox, api_key = caller(request)
    attributes = dict((await request_data(request)).get("attributes") or {})
    configuration = attributes.pop("configuration", None)
    if not isinstance(configuration, dict):
        raise bad_request("Missing parameter", "configuration is required.", "106")
    name = attributes.pop("name", None)
    if not name:
        raise invalid("name", "can't be blank")
    trunk = Trunk(
        id=new_id(),
        api_key=api_key,
        name=name,
        created_at=sandbox.state.clock.now(),
        attributes={**TRUNK_DEFAULTS, **_known(attributes)},
        configuration=sip_configuration(configuration),
    )
    sandbox.state.save_trunk(trunk)
    return jsonapi(Composer(request, sandbox.state).single(trunk), 201)


async def get_trunk(request: Request) -> Response:
    """Reads one trunk."""
    sandbox, api_key = caller(request)
    trunk = sandbox.state.trunk(api_key, request.path_params["id"])
    return jsonapi(Composer(request, sandbox.state, ("voice_in_trunk_group", "pop")).single(trunk))


async def update_trunk(request: Request) -> Response:
    """Updates a trunk; a configuration replaces the previous one whole."""
    sandbox, api_key = caller(request)
    current = sandbox.state.trunk(api_key, request.path_params["id"])
    attributes = dict((await request_data(request)).get("attributes") or {})
    configuration = attributes.pop("configuration", None)
    changes: dict[str, Any] = {"attributes": {**current.attributes, **_known(attributes)}}
    if "name" in attributes:
        changes["name"] = attributes["name"]
    if isinstance(configuration, dict):
        changes["configuration"] = sip_configuration(configuration)
    updated = sandbox.state.save_trunk(current.model_copy(update=changes))
    return jsonapi(Composer(request, sandbox.state).single(updated))


async def delete_trunk(request: Request) -> Response:
    """Deletes a trunk, unrouting its DIDs."""
    sandbox, api_key = caller(request)
    trunk = sandbox.state.trunk(api_key, request.path_params["id"])
    for did in sandbox.state.dids(api_key):
        if did.trunk_id == trunk.id:
            did.trunk_id = None
    del sandbox.state.records.trunks[trunk.id]
    return jsonapi(None)


def _known(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if k in TRUNK_DEFAULTS}


def sip_configuration(configuration: dict[str, Any]) -> dict[str, Any]:
    """Returns a full SIP configuration: DIDWW's defaults overlaid with what was sent."""
    if configuration.get("type") != "sip_configurations":
        raise invalid("configuration", "type must be sip_configurations in the sandbox")
    sent = configuration.get("attributes") or {}
    return {"type": "sip_configurations", "attributes": {**SIP_DEFAULTS, **sent}}


ROUTES = [
    Route("/v3/dids", list_dids, methods=["GET"]),
    Route("/v3/dids/{id}", get_did, methods=["GET"]),
    Route("/v3/dids/{id}", update_did, methods=["PATCH"]),
    Route("/v3/voice_in_trunks", list_trunks, methods=["GET"]),
    Route("/v3/voice_in_trunks", create_trunk, methods=["POST"]),
    Route("/v3/voice_in_trunks/{id}", get_trunk, methods=["GET"]),
    Route("/v3/voice_in_trunks/{id}", update_trunk, methods=["PATCH"]),
    Route("/v3/voice_in_trunks/{id}", delete_trunk, methods=["DELETE"]),
]
