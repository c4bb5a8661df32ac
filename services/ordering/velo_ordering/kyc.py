"""In-app KYC: the tenant's identities, addresses and proofs, filed with DIDWW as the admin enters
them, and DIDWW's dry run of a requirement against them.

A document goes from the upload straight to DIDWW, encrypted with DIDWW's public keys (velo_didww):
its content is never stored or logged here. The records keep DIDWW's ids and what was filed (name,
type, size) for the admin's list, and each filing is announced (KycRecordFiled) for the audit log.
Synchronous on purpose: DIDWW answers at once, and the admin must see a refused field right away.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Header, HTTPException, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import Actor, ErrorCode, FiledDocument, KycRecordFiled, Role
from velo_contracts.envelope import utc_now
from velo_contracts.kyc import AddressBody, IdentityBody
from velo_didww import DidwwClient, RequirementNotMet, ValidationFailed
from velo_offers import TenantAccounts
from velo_ordering.known import Known
from velo_runtime import IndexSpec, get_logger, problem
from velo_runtime.documents import Document, MongoDocuments
from velo_runtime.outbox import OutboxRelay, outbox_index, with_events

RECORDS = "kyc_records"
KINDS = ("identity", "address", "proof")
INDEXES = [IndexSpec(RECORDS, [("tenant_id", 1), ("kind", 1)]), outbox_index(RECORDS)]
MAX_BYTES = 10 * 1024 * 1024
"""Largest document taken (a scan of an ID or a utility bill is far smaller)."""
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
"""What a document may be, told by its first bytes (never by the name or the declared type)."""
log = get_logger(__name__)


class ValidationBody(BaseModel):
    """A dry run of a requirement against an identity and address."""

    model_config = ConfigDict(extra="forbid")

    requirement_id: str = Field(min_length=1, max_length=64)
    identity_id: str = Field(min_length=1, max_length=64)
    address_id: str = Field(min_length=1, max_length=64)


def record_key(tenant_id: str, record_id: str) -> str:
    """Returns the document id of a tenant's KYC record."""
    return f"{tenant_id}/{record_id}"


class KycRecords:
    """The tenant's filings: DIDWW's ids and what was filed, each with its audit event."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.records: AsyncCollection[Document] = db[RECORDS]
        self.docs = MongoDocuments(self.records)

    async def add(self, tenant_id: str, record: Document, event: KycRecordFiled) -> str:
        """Stores a filing with its event; returns its key."""
        key = record_key(tenant_id, record["id"])
        document = {"_id": key, "tenant_id": tenant_id, **record, "filed_at": utc_now()}
        await self.docs.create(with_events(document, [event]))
        return key

    async def get(self, tenant_id: str, record_id: str, kind: str) -> Document | None:
        """Returns one of the tenant's records of a kind (None for anyone else's)."""
        query = {"_id": record_key(tenant_id, record_id), "tenant_id": tenant_id, "kind": kind}
        return await self.records.find_one(query)

    async def of_tenant(self, tenant_id: str) -> list[Document]:
        """Returns every filing of the tenant, oldest first."""
        cursor = self.records.find({"tenant_id": tenant_id}, {"outbox": 0, "pending_events": 0})
        return sorted([doc async for doc in cursor], key=lambda d: d["filed_at"])


def identities_view(records: list[Document]) -> list[dict[str, Any]]:
    """Returns the identities with their addresses and proofs, as the admin reuses them."""
    identities = {
        r["id"]: _public(r) | {"addresses": [], "proofs": []}
        for r in records
        if r["kind"] == "identity"
    }
    addresses = {r["id"]: _public(r) | {"proofs": []} for r in records if r["kind"] == "address"}
    for address in addresses.values():
        if owner := identities.get(address["identity_id"]):
            owner["addresses"].append(address)
    for proof in (r for r in records if r["kind"] == "proof"):
        holder = identities.get(proof.get("identity_id") or "") or addresses.get(
            proof.get("address_id") or ""
        )
        if holder is not None and proof.get("entity") == holder["kind"]:
            holder["proofs"].append(_public(proof))
    return list(identities.values())


def _public(record: Document) -> dict[str, Any]:
    hidden = {"_id", "tenant_id", "_rev", "outbox", "pending_events"}
    return {k: v for k, v in record.items() if k not in hidden}


def sniff(content: bytes) -> str | None:
    """Returns a document's type from its first bytes, or None if it is no PDF, JPEG or PNG."""
    return next((kind for magic, kind in SIGNATURES.items() if content.startswith(magic)), None)


def kyc_routes(
    accounts: TenantAccounts, known: Known, records: KycRecords, relay: OutboxRelay
) -> APIRouter:
    """Returns the KYC routes of the tenant's API (for the gateway)."""
    router = APIRouter(prefix="/v1/tenants/{tenant_id}/kyc", tags=["kyc"])

    async def didww(tenant_id: str) -> DidwwClient:
        """The tenant's DIDWW client, once in-app KYC is known to be on for the tenant."""
        if not (await accounts.config(tenant_id)).didww.in_app_kyc:
            raise HTTPException(409, OFF_DETAIL)
        return await accounts.client(tenant_id)

    async def filed(tenant_id: str, record: Document, event: KycRecordFiled) -> None:
        await relay.relay(await records.add(tenant_id, record, event))

    async def country_id(tenant_id: str, client: DidwwClient, iso: str | None) -> str | None:
        if iso is None:
            return None
        country = await known.country(tenant_id, client, iso)
        if country is None:
            raise _Refused("country", f"DIDWW covers no country {iso!r}")
        return country.id

    @router.get("/proof-types")
    async def proof_types(tenant_id: str) -> Any:
        """DIDWW's kinds of proof: what each proves (Personal, Business, Address)."""
        found = await (await didww(tenant_id)).list_proof_types()
        return {"items": [p.model_dump(mode="json") for p in found]}

    @router.get("/identities")
    async def identities(tenant_id: str) -> Any:
        """The tenant's identities with their addresses and proofs (reusable for any number)."""
        return {"items": identities_view(await records.of_tenant(tenant_id))}

    @router.post("/identities", status_code=201)
    async def create_identity(
        tenant_id: str, body: IdentityBody, actor: Annotated[str, Header(alias="velo-actor")]
    ) -> Any:
        """Creates an identity at DIDWW; 422 names the field DIDWW refused."""
        try:
            client = await didww(tenant_id)
            fields = body.model_dump(exclude={"country", "birth_country"}, exclude_none=True)
            made = await client.create_identity(
                **fields,
                country_id=await country_id(tenant_id, client, body.country),
                birth_country_id=await country_id(tenant_id, client, body.birth_country),
            )
        except (ValidationFailed, _Refused) as exc:
            return _refused(exc)
        name = body.company_name if body.identity_type == "business" else None
        name = name or f"{body.first_name} {body.last_name}"
        record: Document = {"id": made.id, "kind": "identity", "identity_type": body.identity_type}
        record |= {"name": name, "country": body.country, "filed_by": actor}
        summary = f"{body.identity_type} identity {name}"
        await filed(
            tenant_id,
            record,
            _event(tenant_id, actor, "identity", made.id, summary, identity_id=made.id),
        )
        return record

    @router.post("/identities/{identity_id}/addresses", status_code=201)
    async def create_address(
        tenant_id: str,
        identity_id: str,
        body: AddressBody,
        actor: Annotated[str, Header(alias="velo-actor")],
    ) -> Any:
        """Creates an address of one of the tenant's identities at DIDWW."""
        if await records.get(tenant_id, identity_id, "identity") is None:
            return _not_found("identity")
        try:
            client = await didww(tenant_id)
            made = await client.create_address(
                identity_id,
                await country_id(tenant_id, client, body.country) or "",
                address=body.address,
                city_name=body.city_name,
                postal_code=body.postal_code,
            )
        except (ValidationFailed, _Refused) as exc:
            return _refused(exc)
        record: Document = {"id": made.id, "kind": "address", "identity_id": identity_id}
        record |= {"country": body.country, "city_name": body.city_name, "filed_by": actor}
        record["summary"] = f"{body.address}, {body.postal_code} {body.city_name}, {body.country}"
        summary = f"address in {body.city_name}, {body.country}"
        event = _event(
            tenant_id,
            actor,
            "address",
            made.id,
            summary,
            identity_id=identity_id,
            address_id=made.id,
        )
        await filed(tenant_id, record, event)
        return record

    @router.post("/proofs", status_code=201)
    async def create_proof(
        tenant_id: str,
        entity_type: Annotated[Literal["identity", "address"], Form()],
        entity_id: Annotated[str, Form(min_length=1, max_length=64)],
        proof_type_id: Annotated[str, Form(min_length=1, max_length=64)],
        file: Annotated[UploadFile, File()],
        actor: Annotated[str, Header(alias="velo-actor")],
    ) -> Any:
        """Encrypts a document for DIDWW, uploads it and files it as a proof of an identity or
        address; 422 for a file that is too big or no PDF, JPEG or PNG."""
        entity = await records.get(tenant_id, entity_id, entity_type)
        if entity is None:
            return _not_found(entity_type)
        content = await file.read(MAX_BYTES + 1)
        kind, size = sniff(content), len(content)
        if len(content) > MAX_BYTES or kind is None or not content:
            what = "larger than 10 MB" if len(content) > MAX_BYTES else "not a PDF, JPEG or PNG"
            return _refused(_Refused("file", f"the document is {what}"))
        try:
            client = await didww(tenant_id)
            staged = await client.upload_encrypted_file(content, description=proof_type_id)
            proof = await client.create_proof(entity_type, entity_id, proof_type_id, [staged.id])
        except ValidationFailed as exc:
            return _refused(exc)
        finally:
            del content  # the only copy of the document's bytes here
        document = FiledDocument(
            file_name=(file.filename or "document")[:200], content_type=kind, size_bytes=size
        )
        owner = (
            {"identity_id": entity_id}
            if entity_type == "identity"
            else {"identity_id": entity.get("identity_id"), "address_id": entity_id}
        )
        record: Document = {"id": proof.id, "kind": "proof", "entity": entity_type, **owner}
        record |= {"proof_type_id": proof_type_id, "filed_by": actor}
        record["documents"] = [document.model_dump()]
        summary = f"proof ({proof_type_id}) of {entity_type} {entity_id}"
        event = _event(tenant_id, actor, "proof", proof.id, summary, documents=[document], **owner)
        await filed(tenant_id, record, event)
        return record

    @router.post("/validations", status_code=204, response_class=Response)
    async def validate(tenant_id: str, body: ValidationBody) -> Response:
        """DIDWW's dry run of a requirement against the tenant's identity and address: 204 when
        they meet it, 422 listing each missing field, proof or document."""
        if await records.get(tenant_id, body.identity_id, "identity") is None:
            return _not_found("identity")
        address = await records.get(tenant_id, body.address_id, "address")
        if address is None or address.get("identity_id") != body.identity_id:
            return _not_found("address")
        try:
            await (await didww(tenant_id)).validate_address_requirement(
                body.requirement_id, identity_id=body.identity_id, address_id=body.address_id
            )
        except RequirementNotMet as exc:
            missing = [
                {"entity": p.entity, "field": p.field, "detail": p.detail} for p in exc.problems
            ]
            detail = "; ".join(
                f"{m['entity'] or 'request'}.{m['field']}: {m['detail']}" for m in missing
            )
            return problem(
                422,
                ErrorCode.KYC_INCOMPLETE,
                f"the requirement is not met: {detail}",
                title="Documents missing",
                missing=missing,
            )
        return Response(status_code=204)

    return router


OFF_DETAIL = (
    "in-app KYC is off for your tenant: file the documents at DIDWW (DIDWW dashboard → "
    "Regulatory), or ask your provider to turn in-app KYC on"
)


class _Refused(Exception):
    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.detail = field, detail


def _refused(exc: ValidationFailed | _Refused) -> JSONResponse:
    field: str | None
    if isinstance(exc, _Refused):
        field, detail = exc.field, exc.detail
    else:
        field = (exc.pointer or "").rstrip("/").rpartition("/")[2] or None
        detail = exc.detail
    text = f"{field}: {detail}" if field else detail
    return problem(422, ErrorCode.VALIDATION_FAILED, text, title="Refused by DIDWW", field=field)


def _not_found(kind: str) -> JSONResponse:
    return problem(404, ErrorCode.NOT_FOUND, f"No such {kind} of yours.", title="Not found")


def _event(
    tenant_id: str,
    actor: str,
    kind: Literal["identity", "address", "proof"],
    record_id: str,
    summary: str,
    **fields: Any,
) -> KycRecordFiled:
    return KycRecordFiled(
        tenant_id=tenant_id,
        actor=Actor(user_id=actor, role=Role.ADMIN),
        kind=kind,
        record_id=record_id,
        summary=summary,
        **fields,
    )
