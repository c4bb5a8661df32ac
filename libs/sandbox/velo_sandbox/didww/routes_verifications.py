"""`/v3/address_requirement_validations` (the dry run) and `/v3/address_verifications`:
submitting an address for DIDs awaiting registration, and reading DIDWW's answer (`pending`,
then `approved` or `rejected`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.bodies import RELATIONSHIPS, read_document
from velo_sandbox.didww.documents import API_VERSION, Composer
from velo_sandbox.didww.errors import invalid, not_found
from velo_sandbox.didww.filters import Custom, Getter, apply_filters, apply_sort, values
from velo_sandbox.didww.regulation import Regulation, linked
from velo_sandbox.didww.regulation_records import AddressVerification
from velo_sandbox.didww.requirement_check import (
    address_shortfalls,
    identity_shortfalls,
    refuse_if_short,
)
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import Sandbox, caller, jsonapi
from velo_sandbox.didww.state import new_id
from velo_sandbox.didww.validation import Rule, check
from velo_sandbox.didww.verifications import submit

INCLUDES = ("address", "dids")
SORTS: dict[str, Getter] = {
    "created_at": lambda v: v.created_at,
    "external_reference_id": lambda v: v.external_reference_id,
}


def _filters(regulation: Regulation) -> tuple[dict[str, Getter], dict[str, Custom]]:
    addresses = regulation.records.addresses

    def identity_of(v: AddressVerification) -> str | None:
        address = addresses.get(v.address_id)
        return address.identity_id if address else None

    fields: dict[str, Getter] = {
        "id": lambda v: v.id,
        "address.id": lambda v: v.address_id,
        "address.identity.id": identity_of,
        "external_reference_id": lambda v: v.external_reference_id,
        "reference": lambda v: v.reference,
        "status": lambda v: v.status,
    }
    custom: dict[str, Custom] = {"reference_in": lambda raw: lambda v: v.reference in values(raw)}
    return fields, custom


async def create_verification(request: Request) -> Response:
    """Submits an address for DIDs awaiting registration: `pending` until reviewed."""
    sandbox, api_key = caller(request)
    document = await read_document(
        request, "address_verifications", relationships=("address",), many=("dids", "onetime_files")
    )
    verification = submit(Regulation(sandbox.state), api_key, document)
    sandbox.review.submitted(verification)
    return jsonapi(Composer(request, sandbox.state, INCLUDES).single(verification), 201)


async def list_verifications(request: Request) -> Response:
    """Lists the caller's verifications."""
    sandbox, api_key = caller(request)
    regulation = Regulation(sandbox.state)
    mine = [v for v in regulation.records.verifications.values() if v.api_key == api_key]
    fields, custom = _filters(regulation)
    found = apply_sort(request, apply_filters(request, mine, fields, custom), SORTS)
    return jsonapi(Composer(request, sandbox.state, INCLUDES).collection(found))


def _verification(request: Request) -> tuple[Sandbox, AddressVerification]:
    sandbox, api_key = caller(request)
    ident = request.path_params["id"]
    found = sandbox.state.records.regulation.verifications.get(ident)
    if found is None or found.api_key != api_key:
        raise not_found("address_verifications", ident)
    return sandbox, found


async def get_verification(request: Request) -> Response:
    """Reads one verification."""
    sandbox, verification = _verification(request)
    return jsonapi(Composer(request, sandbox.state, INCLUDES).single(verification))


async def update_verification(request: Request) -> Response:
    """Changes the caller's own reference, the one thing that can change."""
    sandbox, verification = _verification(request)
    document = await read_document(request, "address_verifications", id_=verification.id)
    check(document.attributes, {"external_reference_id": Rule("string")})
    if "external_reference_id" in document.attributes:
        verification.external_reference_id = document.attributes["external_reference_id"]
    return jsonapi(Composer(request, sandbox.state, INCLUDES).single(verification))


async def validate(request: Request) -> Response:
    """Dry run: 201 when the identity and/or address satisfy the requirement, else a 422 naming
    every shortfall. Nothing is stored."""
    sandbox, api_key = caller(request)
    document = await read_document(
        request,
        "address_requirement_validations",
        relationships=("address_requirement", "identity", "address"),
    )
    check(document.attributes, {})
    regulation = Regulation(sandbox.state)
    ident = document.target("address_requirement", "address_requirements")
    requirement = sandbox.state.catalog.by_id.get(ident or "")
    if not isinstance(requirement, cat.Requirement):
        message = "can't be blank" if ident is None else "is invalid"
        raise invalid("address_requirement", message, RELATIONSHIPS)
    identity_id = document.target("identity", "identities")
    address_id = document.target("address", "addresses")
    if identity_id is None and address_id is None:
        raise invalid("identity", "can't be blank when address is blank", RELATIONSHIPS)
    records = regulation.records
    identity = linked(records.identities, api_key, identity_id, "identity") if identity_id else None
    address = linked(records.addresses, api_key, address_id, "address") if address_id else None
    if identity and address and address.identity_id != identity.id:
        raise invalid("address", "does not belong to the identity", RELATIONSHIPS)
    shortfalls = []
    if identity is not None:
        proofs, docs = regulation.proofs_of(identity.id), regulation.documents_of(identity.id)
        shortfalls += identity_shortfalls(
            requirement, identity, proofs, docs, f"{RELATIONSHIPS}/identity"
        )
    if address is not None:
        proofs = regulation.proofs_of(address.id)
        shortfalls += address_shortfalls(requirement, address, proofs, f"{RELATIONSHIPS}/address")
    refuse_if_short(shortfalls)
    doc = {"data": {"id": new_id(), "type": "address_requirement_validations"}}
    return jsonapi({**doc, "meta": {"api_version": API_VERSION}}, 201)


ROUTES = [
    resource("/v3/address_requirement_validations", POST=validate),
    resource("/v3/address_verifications", GET=list_verifications, POST=create_verification),
    resource("/v3/address_verifications/{id}", GET=get_verification, PATCH=update_verification),
]
