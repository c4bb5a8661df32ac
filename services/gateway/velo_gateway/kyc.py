"""In-app KYC at the edge: what a regulated offer asks for, the tenant's identities, addresses and
proofs (filed with DIDWW by ordering, documents encrypted on the way), and corrected documents for
a registration DIDWW rejected.

Filing is synchronous (DIDWW answers at once, and a refused field is shown where the admin typed
it); only the registration of a number is a command (202), followed on the number and the stream.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from velo_contracts import KycFiling, KycRequirement, SubmitRegistration
from velo_contracts import reads as shapes
from velo_contracts.kyc import AddressBody, IdentityBody
from velo_contracts.topics import ORDERING_COMMANDS
from velo_gateway import checks, problems
from velo_gateway.auth import Admin, Caller
from velo_gateway.bodies import e164, safe_id
from velo_gateway.context import Deps, Gateway
from velo_gateway.problems import Problem

router = APIRouter(
    prefix="/v1/kyc",
    tags=["kyc"],
    responses=problems.documented(400, 401, 403, 404, 409, 422, 503),
)
MAX_UPLOAD = 10 * 1024 * 1024
FIELD_WORDS = {
    "birth_date": "date of birth",
    "birth_country": "country of birth",
    "country": "country of the identity",
    "personal_tax_id": "personal tax id",
    "id_number": "ID document number",
    "vat_id": "VAT id",
    "company_reg_number": "company registration number",
    "contact_email": "contact email",
}


class Requirement(BaseModel):
    """What DIDWW will ask for a regulated offer, as data (for a form) and in words."""

    offer_id: str
    kyc_required: bool
    requirement: KycRequirement | None = None
    asks: list[str] = Field(default_factory=list, description="What to file, in words.")


def asks(requirement: KycRequirement) -> list[str]:
    """Says what a requirement asks for, one line per thing to file."""
    lines = []
    kinds = {"personal": "a person's", "business": "a company's"}
    kind = kinds.get(requirement.identity_type or "any", "a person's or a company's")
    lines.append(f"The identity of whoever uses the number: {kind} name and phone number.")
    for who, kind_of, fields in (
        ("a person", "personal", requirement.personal_mandatory_fields),
        ("a company", "business", requirement.business_mandatory_fields),
    ):
        if fields and requirement.identity_type in (None, "any", kind_of):
            words = ", ".join(FIELD_WORDS.get(f, f.replace("_", " ")) for f in fields)
            lines.append(f"For {who}: {words}.")
    either = requirement.identity_type in (None, "any")
    for qty, what in (
        (requirement.personal_proof_qty, "document(s) proving a person's identity"),
        (requirement.business_proof_qty, "document(s) proving a company's identity"),
        (requirement.address_proof_qty, "document(s) proving the address"),
    ):
        if qty:
            which = " (for that kind of identity)" if either and "identity" in what else ""
            lines.append(f"{qty} {what}{which}; PDF, JPEG or PNG, at most 10 MB each.")
    level = requirement.address_area_level or "country"
    lines.append(f"An address in the number's {level if level != 'world_wide' else 'world'}.")
    if requirement.service_description_required:
        lines.append("A sentence on how the number will be used.")
    return lines


@router.get("/requirements", responses=problems.answers(Requirement))
async def requirements(
    caller: Admin, gw: Deps, offer_id: Annotated[str, Query(min_length=1, max_length=80)]
) -> Any:
    """What DIDWW will ask before it delivers an offer's number (nothing, for most offers)."""
    path = f"/v1/tenants/{caller.tenant_id}/offers/{safe_id(offer_id, 'offer')}"
    offer = await gw.downstream.get("inventory", path)
    found = offer.get("requirement")
    requirement = KycRequirement.model_validate(found) if found else None
    return Requirement(
        offer_id=offer_id,
        kyc_required=bool(offer.get("kyc_required")),
        requirement=requirement,
        asks=asks(requirement) if requirement else [],
    )


def _ordering(caller: Caller, tail: str) -> str:
    return f"/v1/tenants/{caller.tenant_id}/kyc{tail}"


def _actor(caller: Caller) -> dict[str, str]:
    return {"velo-actor": caller.user_id}


@router.get("/proof-types")
async def proof_types(caller: Admin, gw: Deps) -> Any:
    """DIDWW's kinds of proof and what each proves (Personal, Business, Address)."""
    return await gw.downstream.get("ordering", _ordering(caller, "/proof-types"))


@router.get("/identities")
async def identities(caller: Admin, gw: Deps) -> Any:
    """The tenant's identities, with their addresses and proofs (reusable for later numbers)."""
    return await gw.downstream.get("ordering", _ordering(caller, "/identities"))


@router.post("/identities", status_code=201)
async def create_identity(body: IdentityBody, caller: Admin, gw: Deps) -> Any:
    """Files an identity with DIDWW (`identity_type`, names, `phone_number`, `country`, …);
    422 names the field refused."""
    path = _ordering(caller, "/identities")
    json = body.model_dump(mode="json", exclude_none=True)
    return await gw.downstream.submit("ordering", path, json=json, headers=_actor(caller))


@router.post("/identities/{identity_id}/addresses", status_code=201)
async def create_address(identity_id: str, body: AddressBody, caller: Admin, gw: Deps) -> Any:
    """Files an address of one of the tenant's identities (`country`, `city_name`,
    `postal_code`, `address`)."""
    path = _ordering(caller, f"/identities/{safe_id(identity_id, 'identity')}/addresses")
    json = body.model_dump(mode="json")
    return await gw.downstream.submit("ordering", path, json=json, headers=_actor(caller))


@router.post("/proofs", status_code=201)
async def create_proof(
    caller: Admin,
    gw: Deps,
    entity_type: Annotated[Literal["identity", "address"], Form()],
    entity_id: Annotated[str, Form(min_length=1, max_length=64)],
    proof_type_id: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG, at most 10 MB.")],
) -> Any:
    """Files a document proving an identity or address: encrypted for DIDWW on its way, its
    content kept nowhere here."""
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise Problem(422, "Too large", "file: the document is larger than 10 MB", field="file")
    files = {"file": (file.filename or "document", content, "application/octet-stream")}
    data = {"entity_type": entity_type, "entity_id": entity_id, "proof_type_id": proof_type_id}
    path = _ordering(caller, "/proofs")
    try:
        return await gw.downstream.submit(
            "ordering", path, files=files, data=data, headers=_actor(caller)
        )
    finally:
        del content, files


class RegistrationBody(BaseModel):
    """Corrected documents for a number DIDWW rejected the registration of."""

    model_config = ConfigDict(extra="forbid")

    identity_id: str = Field(min_length=1, max_length=64)
    address_id: str = Field(min_length=1, max_length=64)
    service_description: str | None = Field(default=None, max_length=500)


async def check_filing(gw: Gateway, caller: Caller, requirement_id: str, filing: KycFiling) -> None:
    """Runs DIDWW's dry run of the requirement on the filing; 422 names each missing item."""
    body = {"requirement_id": requirement_id} | filing.model_dump(
        include={"identity_id", "address_id"}
    )
    await gw.downstream.submit("ordering", _ordering(caller, "/validations"), json=body)


numbers = APIRouter(prefix="/v1", tags=["kyc"], responses=router.responses)


@numbers.post(
    "/numbers/{number}/registration",
    status_code=202,
    responses=problems.answers(shapes.Accepted, 202),
)
async def resubmit(
    number: str, body: RegistrationBody, caller: Admin, gw: Deps, response: Response
) -> Any:
    """Files the registration of a number again, with corrected documents, after DIDWW rejected
    it (409 unless it did); follow it on the number."""
    number = e164(number)
    gw.limiter.take(caller.tenant_id)
    row = await checks.number_row(gw, caller, number)
    if row is None:
        raise Problem(404, "Not found", f"{number} is not one of your numbers")
    state = (row.get("registration") or {}).get("status")
    if row["status"] != "registering" or state != "rejected":
        detail = f"{number} has no rejected registration to correct (registration: {state})"
        raise Problem(409, "Nothing to correct", detail, state=row["status"])
    filing = KycFiling(**body.model_dump())
    command = SubmitRegistration(
        tenant_id=caller.tenant_id, actor=caller.actor, number=number, kyc=filing
    )
    await gw.send(command, ORDERING_COMMANDS)
    response.headers["Location"] = f"/v1/numbers/{number}"
    response.status_code = 202
    return {"id": command.command_id, "status": "accepted"}
