"""`/v3/identities`: the people and companies numbers are registered to."""

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
from velo_sandbox.didww.regulation import Regulation, owned
from velo_sandbox.didww.regulation_records import Identity
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import caller, jsonapi
from velo_sandbox.didww.state import new_id
from velo_sandbox.didww.validation import Rule, check

IDENTITY_INCLUDES = ("country", "birth_country", "proofs", "addresses", "permanent_documents")
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


def checked(attributes: dict[str, Any], rules: dict[str, Rule]) -> None:
    """Checks attributes of an identity or address: their rules, text that is not blank, a
    phone number of digits, a birth date (stored as YYYY-MM-DD)."""
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


def required(attributes: dict[str, Any], names: tuple[str, ...]) -> None:
    """Refuses a creation missing one of names with DIDWW's 422."""
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
    checked(attributes, NEW_IDENTITY_RULES)
    required(attributes, ("identity_type", "first_name", "last_name", "phone_number"))
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
    checked(document.attributes, IDENTITY_RULES)
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


ROUTES = [
    resource("/v3/identities", GET=list_identities, POST=create_identity),
    resource(
        "/v3/identities/{id}", GET=get_identity, PATCH=update_identity, DELETE=delete_identity
    ),
]
