"""`/v3/identities` and `/v3/addresses`: who numbers are registered to, and where."""

from __future__ import annotations

from datetime import date
from operator import attrgetter
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww.bodies import read_document
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import invalid
from velo_sandbox.didww.filters import Getter, apply_filters, apply_sort, text_filters
from velo_sandbox.didww.regulation import Regulation, linked, owned
from velo_sandbox.didww.regulation_records import Address, Identity
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import caller, jsonapi
from velo_sandbox.didww.state import new_id
from velo_sandbox.didww.validation import Rule, check

IDENTITY_INCLUDES = ("country", "birth_country", "proofs", "addresses", "permanent_documents")
ADDRESS_INCLUDES = ("identity", "country", "area", "city", "proofs")
TEXT = Rule("string")
OPTIONAL = Rule("string", nullable=True)
IDENTITY_RULES = {
    "first_name": TEXT,
    "last_name": TEXT,
    "phone_number": TEXT,
    **dict.fromkeys(
        (
            "contact_email",
            "company_name",
            "company_reg_number",
            "vat_id",
            "id_number",
            "personal_tax_id",
            "birth_date",
            "description",
            "external_reference_id",
        ),
        OPTIONAL,
    ),
}
NEW_IDENTITY_RULES = {
    "identity_type": Rule("string", choices=("personal", "business")),
    **IDENTITY_RULES,
}
ADDRESS_RULES = {
    "address": TEXT,
    "city_name": TEXT,
    "postal_code": TEXT,
    "description": OPTIONAL,
    "external_reference_id": OPTIONAL,
}
IDENTITY_TEXT: dict[str, Getter] = {
    name: attrgetter(name)
    for name in (
        "company_name",
        "company_reg_number",
        "description",
        "first_name",
        "id_number",
        "last_name",
        "personal_tax_id",
        "phone_number",
        "vat_id",
    )
}
IDENTITY_FILTERS: dict[str, Getter] = {
    **IDENTITY_TEXT,
    "id": lambda i: i.id,
    "birth_date": lambda i: i.birth_date,
    "country.id": lambda i: i.country_id,
    "external_reference_id": lambda i: i.external_reference_id,
    "identity_type": lambda i: i.identity_type,
}
IDENTITY_SORTS: dict[str, Getter] = {
    name: attrgetter(name)
    for name in (
        "birth_date",
        "company_name",
        "company_reg_number",
        "contact_email",
        "created_at",
        "description",
        "external_reference_id",
        "first_name",
        "id_number",
        "last_name",
        "personal_tax_id",
        "phone_number",
        "vat_id",
        "verified",
    )
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


def _checked(attributes: dict[str, Any], rules: dict[str, Rule]) -> None:
    check(attributes, rules)
    for name in ("first_name", "last_name", "phone_number", "address", "city_name", "postal_code"):
        if name in attributes and not attributes[name].strip():
            raise invalid(name, "can't be blank")
    if not str(attributes.get("phone_number", "0")).isdigit():
        raise invalid("phone_number", "must contain digits only")
    if attributes.get("birth_date") is not None:
        try:
            attributes["birth_date"] = date.fromisoformat(attributes["birth_date"]).isoformat()
        except ValueError:
            raise invalid("birth_date", "is not a date (YYYY-MM-DD)") from None


def _required(attributes: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if attributes.get(name) is None:
            raise invalid(name, "can't be blank")


async def create_identity(request: Request) -> Response:
    """Registers a person or a company."""
    sandbox, api_key = caller(request)
    document = await read_document(
        request, "identities", relationships=("country", "birth_country")
    )
    attributes = document.attributes
    _checked(attributes, NEW_IDENTITY_RULES)
    _required(attributes, ("identity_type", "first_name", "last_name", "phone_number"))
    if attributes["identity_type"] == "business" and not attributes.get("company_name"):
        raise invalid("company_name", "can't be blank")
    regulation = Regulation(sandbox.state)
    identity = Identity(
        id=new_id(),
        api_key=api_key,
        created_at=sandbox.state.clock.now(),
        country_id=regulation.country(document.target("country", "countries"), "country"),
        birth_country_id=regulation.country(
            document.target("birth_country", "countries"), "birth_country"
        ),
        **attributes,
    )
    regulation.records.identities[identity.id] = identity
    return jsonapi(Composer(request, sandbox.state, IDENTITY_INCLUDES).single(identity), 201)


async def list_identities(request: Request) -> Response:
    """Lists the caller's identities."""
    sandbox, api_key = caller(request)
    mine = [i for i in sandbox.state.records.regulation.identities.values() if i.api_key == api_key]
    found = apply_filters(request, mine, IDENTITY_FILTERS, text_filters(IDENTITY_TEXT))
    found = apply_sort(request, found, IDENTITY_SORTS)
    return jsonapi(Composer(request, sandbox.state, IDENTITY_INCLUDES).collection(found))


def _identity(request: Request) -> tuple[Any, Identity]:
    sandbox, api_key = caller(request)
    items = sandbox.state.records.regulation.identities
    return sandbox, owned(items, api_key, request.path_params["id"], "identities")


async def get_identity(request: Request) -> Response:
    """Reads one identity."""
    sandbox, identity = _identity(request)
    return jsonapi(Composer(request, sandbox.state, IDENTITY_INCLUDES).single(identity))


async def update_identity(request: Request) -> Response:
    """Changes an identity; its `identity_type` never changes."""
    sandbox, identity = _identity(request)
    document = await read_document(
        request, "identities", id_=identity.id, relationships=("country", "birth_country")
    )
    _checked(document.attributes, IDENTITY_RULES)
    regulation = Regulation(sandbox.state)
    for name, value in document.attributes.items():
        setattr(identity, name, value)
    for name in ("country", "birth_country"):
        if name in document.relationships:
            setattr(
                identity, f"{name}_id", regulation.country(document.target(name, "countries"), name)
            )
    return jsonapi(Composer(request, sandbox.state, IDENTITY_INCLUDES).single(identity))


async def delete_identity(request: Request) -> Response:
    """Deletes an identity with its addresses and documents."""
    sandbox, identity = _identity(request)
    Regulation(sandbox.state).delete_identity(identity)
    return jsonapi(None)


async def create_address(request: Request) -> Response:
    """Adds an address to one of the caller's identities."""
    sandbox, api_key = caller(request)
    document = await read_document(request, "addresses", relationships=("identity", "country"))
    _checked(document.attributes, ADDRESS_RULES)
    _required(document.attributes, ("address", "city_name", "postal_code"))
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
    _checked(document.attributes, ADDRESS_RULES)
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
    resource("/v3/identities", GET=list_identities, POST=create_identity),
    resource(
        "/v3/identities/{id}", GET=get_identity, PATCH=update_identity, DELETE=delete_identity
    ),
    resource("/v3/addresses", GET=list_addresses, POST=create_address),
    resource("/v3/addresses/{id}", GET=get_address, PATCH=update_address, DELETE=delete_address),
]
