"""`/v3/voice_in_trunks`: inbound trunks, attributes and configuration checked as DIDWW does."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww.bodies import Document, read_document
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import bad_request, invalid
from velo_sandbox.didww.filters import Getter, apply_filters, apply_sort
from velo_sandbox.didww.records import Trunk
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import caller, jsonapi
from velo_sandbox.didww.state import new_id
from velo_sandbox.didww.trunk_rules import CONFIGURATIONS, TRUNK_DEFAULTS, TRUNK_RULES
from velo_sandbox.didww.validation import check

TYPE = "voice_in_trunks"
INCLUDES = ("voice_in_trunk_group", "pop")
RELATIONSHIPS = ("voice_in_trunk_group", "pop")
FILTERS = {
    "id": lambda t: t.id,
    "name": lambda t: t.name,
    "external_reference_id": lambda t: t.attributes.get("external_reference_id"),
    "configuration.type": lambda t: t.configuration["type"],
}

SORTS: dict[str, Getter] = {
    "name": lambda t: t.name,
    "created_at": lambda t: t.created_at,
    **{
        name: (lambda attribute: lambda t: t.attributes.get(attribute))(name)
        for name in (
            "capacity_limit",
            "cli_format",
            "cli_prefix",
            "description",
            "external_reference_id",
            "priority",
            "ringing_timeout",
            "weight",
        )
    },
}


async def list_trunks(request: Request) -> Response:
    """Lists the caller's trunks."""
    sandbox, api_key = caller(request)
    found = apply_filters(request, sandbox.state.trunks(api_key), FILTERS)
    found = apply_sort(request, found, SORTS)
    return jsonapi(Composer(request, sandbox.state, INCLUDES).collection(found))


async def create_trunk(request: Request) -> Response:
    """Creates a trunk."""
    sandbox, api_key = caller(request)
    document = await read_document(request, TYPE, relationships=RELATIONSHIPS)
    attributes = _attributes(document)
    if "configuration" not in attributes:
        raise bad_request("Missing parameter", "configuration is required.", "106")
    if "name" not in attributes:
        raise invalid("name", "can't be blank")
    trunk = Trunk(
        id=new_id(),
        api_key=api_key,
        name=attributes.pop("name"),
        created_at=sandbox.state.clock.now(),
        configuration=configuration(attributes.pop("configuration")),
        attributes={**TRUNK_DEFAULTS, **attributes},
    )
    sandbox.state.save_trunk(trunk)
    return jsonapi(Composer(request, sandbox.state).single(trunk), 201)


async def get_trunk(request: Request) -> Response:
    """Reads one trunk."""
    sandbox, api_key = caller(request)
    trunk = sandbox.state.trunk(api_key, request.path_params["id"])
    return jsonapi(Composer(request, sandbox.state, INCLUDES).single(trunk))


async def update_trunk(request: Request) -> Response:
    """Updates a trunk; a configuration replaces the previous one whole."""
    sandbox, api_key = caller(request)
    current = sandbox.state.trunk(api_key, request.path_params["id"])
    document = await read_document(request, TYPE, id_=current.id, relationships=RELATIONSHIPS)
    attributes = _attributes(document)
    changes: dict[str, Any] = {}
    if "configuration" in attributes:
        changes["configuration"] = configuration(attributes.pop("configuration"))
    if "name" in attributes:
        changes["name"] = attributes.pop("name")
    changes["attributes"] = {**current.attributes, **attributes}
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


def _attributes(document: Document) -> dict[str, Any]:
    """Returns the trunk attributes sent, checked; the sandbox has no trunk groups or POPs."""
    for name in RELATIONSHIPS:
        if document.relationships.get(name) is not None:
            raise invalid(name, "is invalid", "/data/relationships")
    plain = {k: v for k, v in document.attributes.items() if k != "configuration"}
    check(plain, TRUNK_RULES)
    if plain.get("name") == "":
        raise invalid("name", "can't be blank")
    return dict(document.attributes)


def configuration(sent: Any) -> dict[str, Any]:
    """Returns a whole configuration: DIDWW's defaults of its type overlaid with what was sent."""
    kind = sent.get("type") if isinstance(sent, dict) else None
    if not isinstance(kind, str) or kind not in CONFIGURATIONS:
        raise invalid("configuration", "is invalid")
    rules, defaults = CONFIGURATIONS[kind]
    attributes = sent.get("attributes")
    if not isinstance(attributes, dict):
        raise invalid("configuration", "is invalid")
    check(attributes, rules, "configuration/attributes/")
    whole = {**defaults, **attributes}
    if kind == "sip_configurations":
        whole |= _registration(bool(whole["enabled_sip_registration"]))
    return {"type": kind, "attributes": whole}


def _registration(enabled: bool) -> dict[str, str | None]:
    """Returns the credentials DIDWW generates when the trunk registers instead of being called."""
    if not enabled:
        return {"incoming_auth_username": None, "incoming_auth_password": None}
    return {
        "incoming_auth_username": f"didww-{secrets.token_hex(4)}",
        "incoming_auth_password": secrets.token_urlsafe(12),
    }


ROUTES = [
    resource("/v3/voice_in_trunks", GET=list_trunks, POST=create_trunk),
    resource("/v3/voice_in_trunks/{id}", GET=get_trunk, PATCH=update_trunk, DELETE=delete_trunk),
]
