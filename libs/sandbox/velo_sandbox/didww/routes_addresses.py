"""`/v3/addresses`: where an identity is; its city and numbering area found from its name."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww.bodies import read_document
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.filters import Getter, apply_filters, apply_sort, text_filters
from velo_sandbox.didww.regulation import Regulation, linked, owned
from velo_sandbox.didww.regulation_records import Address
from velo_sandbox.didww.routes_identities import OPTIONAL, TEXT, checked, required
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import caller, jsonapi
from velo_sandbox.didww.state import new_id

ADDRESS_INCLUDES = ("identity", "country", "area", "city", "proofs")
ADDRESS_RULES = {
    "address": TEXT,
    "city_name": TEXT,
    "postal_code": TEXT,
    "description": OPTIONAL,
    "external_reference_id": OPTIONAL,
}
ADDRESS_TEXT: dict[str, Getter] = {
    name: attrgetter(name) for name in ("address", "city_name", "description", "postal_code")
}


def _address_filters(regulation: Regulation) -> dict[str, Getter]:
    identities = regulation.records.identities

    def identity_reference(a: Address) -> str | None:
        identity = identities.get(a.identity_id)
        return identity.external_reference_id if identity else None

    return {
        **ADDRESS_TEXT,
        "id": lambda a: a.id,
        "area.id": lambda a: a.area_id,
        "city.id": lambda a: a.city_id,
        "country.id": lambda a: a.country_id,
        "external_reference_id": lambda a: a.external_reference_id,
        "identity.id": lambda a: a.identity_id,
        "identity.external_reference_id": identity_reference,
    }


ADDRESS_SORTS: dict[str, Getter] = {
    name: attrgetter(name)
    for name in (
        "address",
        "city_name",
        "created_at",
        "description",
        "external_reference_id",
        "postal_code",
        "verified",
    )
}


async def create_address(request: Request) -> Response:
    """Adds an address to one of the caller's identities."""
    sandbox, api_key = caller(request)
    document = await read_document(request, "addresses", relationships=("identity", "country"))
    checked(document.attributes, ADDRESS_RULES)
    required(document.attributes, ("address", "city_name", "postal_code"))
    regulation = Regulation(sandbox.state)
    identity = linked(
        regulation.records.identities,
        api_key,
        document.target("identity", "identities"),
        "identity",
    )
    country_id = regulation.country(
        document.target("country", "countries"), "country", required=True
    )
    assert country_id is not None
    area_id, city_id = regulation.place(country_id, document.attributes["city_name"])
    address = Address(
        id=new_id(),
        api_key=api_key,
        identity_id=identity.id,
        country_id=country_id,
        created_at=sandbox.state.clock.now(),
        area_id=area_id,
        city_id=city_id,
        **document.attributes,
    )
    regulation.records.addresses[address.id] = address
    return jsonapi(Composer(request, sandbox.state, ADDRESS_INCLUDES).single(address), 201)


async def list_addresses(request: Request) -> Response:
    """Lists the caller's addresses."""
    sandbox, api_key = caller(request)
    regulation = Regulation(sandbox.state)
    mine = [a for a in regulation.records.addresses.values() if a.api_key == api_key]
    found = apply_filters(request, mine, _address_filters(regulation), text_filters(ADDRESS_TEXT))
    found = apply_sort(request, found, ADDRESS_SORTS)
    return jsonapi(Composer(request, sandbox.state, ADDRESS_INCLUDES).collection(found))


def _address(request: Request) -> tuple[Any, Address]:
    sandbox, api_key = caller(request)
    items = sandbox.state.records.regulation.addresses
    return sandbox, owned(items, api_key, request.path_params["id"], "addresses")


async def get_address(request: Request) -> Response:
    """Reads one address."""
    sandbox, address = _address(request)
    return jsonapi(Composer(request, sandbox.state, ADDRESS_INCLUDES).single(address))


async def update_address(request: Request) -> Response:
    """Changes an address; its identity and country never change."""
    sandbox, address = _address(request)
    document = await read_document(request, "addresses", id_=address.id)
    checked(document.attributes, ADDRESS_RULES)
    for name, value in document.attributes.items():
        setattr(address, name, value)
    regulation = Regulation(sandbox.state)
    address.area_id, address.city_id = regulation.place(address.country_id, address.city_name)
    return jsonapi(Composer(request, sandbox.state, ADDRESS_INCLUDES).single(address))


async def delete_address(request: Request) -> Response:
    """Deletes an address with its proofs."""
    sandbox, address = _address(request)
    Regulation(sandbox.state).delete_address(address)
    return jsonapi(None)


ROUTES = [
    resource("/v3/addresses", GET=list_addresses, POST=create_address),
    resource("/v3/addresses/{id}", GET=get_address, PATCH=update_address, DELETE=delete_address),
]
