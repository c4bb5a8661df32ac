"""`/v3/address_verifications`: submitting an address for DIDs awaiting registration, and
reading DIDWW's answer (`pending`, then `approved` or `rejected`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww.bodies import read_document
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import not_found
from velo_sandbox.didww.filters import Custom, Getter, apply_filters, apply_sort, values
from velo_sandbox.didww.regulation import Regulation
from velo_sandbox.didww.regulation_records import AddressVerification
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import Sandbox, caller, jsonapi
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


ROUTES = [
    resource("/v3/address_verifications", GET=list_verifications, POST=create_verification),
    resource("/v3/address_verifications/{id}", GET=get_verification, PATCH=update_verification),
]
