"""`/v3` documents of regulation: proof types, templates, proofs, permanent supporting documents,
and the dry run `address_requirement_validations`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.bodies import RELATIONSHIPS, Document, read_document
from velo_sandbox.didww.documents import API_VERSION, Composer
from velo_sandbox.didww.errors import invalid, not_found
from velo_sandbox.didww.filters import Getter, apply_filters, apply_sort, equals, text_filters
from velo_sandbox.didww.regulation import Regulation, linked, owned
from velo_sandbox.didww.regulation_records import Address, Identity, PermanentDocument, Proof
from velo_sandbox.didww.requirement_check import (
    address_shortfalls,
    identity_shortfalls,
    refuse_if_short,
)
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import Sandbox, caller, jsonapi
from velo_sandbox.didww.state import new_id
from velo_sandbox.didww.validation import Rule, check

REFERENCE = {"external_reference_id": Rule("string")}
PROOF_INCLUDES = ("proof_type", "entity")
DOCUMENT_INCLUDES = ("template", "identity")
RECORD_FILTERS: dict[str, Getter] = {
    "id": lambda r: r.id,
    "external_reference_id": lambda r: r.external_reference_id,
}
PROOF_SORTS: dict[str, Getter] = {
    "created_at": lambda p: p.created_at,
    "expires_at": lambda p: p.expires_at,
    "external_reference_id": lambda p: p.external_reference_id,
}
DOCUMENT_SORTS: dict[str, Getter] = {
    "created_at": lambda d: d.created_at,
    "external_reference_id": lambda d: d.external_reference_id,
}


def _proves(entity: Identity | Address) -> str:
    """Returns the `entity_type` of the proof types that prove entity."""
    if isinstance(entity, Address):
        return "Address"
    return "Business" if entity.identity_type == "business" else "Personal"


def _catalog_item(sandbox: Sandbox, request: Request, kind: type, name: str) -> Any:
    ident = request.path_params["id"]
    item = sandbox.state.catalog.by_id.get(ident)
    if not isinstance(item, kind):
        raise not_found(name, ident)
    return item


async def proof_types(request: Request) -> Response:
    """Lists the kinds of proof (not paginated)."""
    sandbox, _ = caller(request)
    fields = {"id": lambda p: p.id, "entity_type": lambda p: p.entity_type}
    found = apply_filters(request, sandbox.state.catalog.proof_types, fields)
    found = apply_sort(
        request, found, {"entity_type": fields["entity_type"], "name": lambda p: p.name}
    )
    return jsonapi(Composer(request, sandbox.state).collection(found, paginate=False))


async def proof_type(request: Request) -> Response:
    """Reads one kind of proof."""
    sandbox, _ = caller(request)
    item = _catalog_item(sandbox, request, cat.ProofType, "proof_types")
    return jsonapi(Composer(request, sandbox.state).single(item))


async def templates(request: Request) -> Response:
    """Lists the blank supporting document forms."""
    sandbox, _ = caller(request)
    name: Getter = lambda t: t.name  # noqa: E731
    fields = {"id": lambda t: t.id, "name": name, "permanent": lambda t: t.permanent}
    custom = {**text_filters({"name": name}), "permanent": equals(fields["permanent"])}
    found = apply_filters(request, sandbox.state.catalog.templates, fields, custom)
    found = apply_sort(request, found, {"name": name, "permanent": fields["permanent"]})
    return jsonapi(Composer(request, sandbox.state).collection(found))


async def template(request: Request) -> Response:
    """Reads one blank form."""
    sandbox, _ = caller(request)
    item = _catalog_item(sandbox, request, cat.Template, "supporting_document_templates")
    return jsonapi(Composer(request, sandbox.state).single(item))


def _proved(regulation: Regulation, api_key: str, document: Document) -> Identity | Address:
    linkage = document.relationships.get("entity")
    if linkage is None:
        raise invalid("entity", "can't be blank", RELATIONSHIPS)
    records = regulation.records
    if linkage.type == "identities":
        return linked(records.identities, api_key, linkage.id, "entity")
    if linkage.type == "addresses":
        return linked(records.addresses, api_key, linkage.id, "entity")
    raise invalid("entity", "is invalid", RELATIONSHIPS)


def _proof_type(regulation: Regulation, document: Document) -> cat.ProofType:
    ident = document.target("proof_type", "proof_types")
    found = regulation.state.catalog.by_id.get(ident or "")
    if not isinstance(found, cat.ProofType):
        raise invalid(
            "proof_type", "can't be blank" if ident is None else "is invalid", RELATIONSHIPS
        )
    return found


async def create_proof(request: Request) -> Response:
    """Files staged documents as a proof of an identity or an address."""
    sandbox, api_key = caller(request)
    document = await read_document(
        request, "proofs", relationships=("proof_type", "entity"), many=("files",)
    )
    check(document.attributes, REFERENCE)
    regulation = Regulation(sandbox.state)
    kind = _proof_type(regulation, document)
    entity = _proved(regulation, api_key, document)
    if kind.entity_type != _proves(entity):
        what = (
            f"a {entity.identity_type} identity" if isinstance(entity, Identity) else "an address"
        )
        raise invalid("proof_type", f"does not prove {what}", RELATIONSHIPS)
    files = regulation.take_files(
        api_key, document.targets("files", "encrypted_files") or [], "files"
    )
    proof = Proof(
        id=new_id(),
        api_key=api_key,
        proof_type_id=kind.id,
        entity_type="addresses" if isinstance(entity, Address) else "identities",
        entity_id=entity.id,
        file_ids=files,
        created_at=sandbox.state.clock.now(),
        external_reference_id=document.attributes.get("external_reference_id"),
    )
    regulation.records.proofs[proof.id] = proof
    return jsonapi(Composer(request, sandbox.state, PROOF_INCLUDES).single(proof), 201)


async def list_proofs(request: Request) -> Response:
    """Lists the caller's proofs."""
    sandbox, api_key = caller(request)
    mine = [p for p in sandbox.state.records.regulation.proofs.values() if p.api_key == api_key]
    found = apply_sort(request, apply_filters(request, mine, RECORD_FILTERS), PROOF_SORTS)
    return jsonapi(Composer(request, sandbox.state, PROOF_INCLUDES).collection(found))


def _proof(request: Request) -> tuple[Sandbox, Proof]:
    sandbox, api_key = caller(request)
    items = sandbox.state.records.regulation.proofs
    return sandbox, owned(items, api_key, request.path_params["id"], "proofs")


async def get_proof(request: Request) -> Response:
    """Reads one proof (never its files)."""
    sandbox, proof = _proof(request)
    return jsonapi(Composer(request, sandbox.state, PROOF_INCLUDES).single(proof))


async def update_proof(request: Request) -> Response:
    """Changes the caller's own reference on a proof."""
    sandbox, proof = _proof(request)
    document = await read_document(request, "proofs", id_=proof.id)
    check(document.attributes, REFERENCE)
    if "external_reference_id" in document.attributes:
        proof.external_reference_id = document.attributes["external_reference_id"]
    return jsonapi(Composer(request, sandbox.state, PROOF_INCLUDES).single(proof))


async def delete_proof(request: Request) -> Response:
    """Deletes a proof."""
    sandbox, proof = _proof(request)
    del sandbox.state.records.regulation.proofs[proof.id]
    return jsonapi(None)


def _permanent_template(regulation: Regulation, document: Document) -> cat.Template:
    ident = document.target("template", "supporting_document_templates")
    found = regulation.state.catalog.by_id.get(ident or "")
    if not isinstance(found, cat.Template):
        raise invalid(
            "template", "can't be blank" if ident is None else "is invalid", RELATIONSHIPS
        )
    if not found.permanent:
        raise invalid(
            "template", "is a one-time document: send it with the verification", RELATIONSHIPS
        )
    return found


async def create_document(request: Request) -> Response:
    """Puts a completed permanent template on file against an identity."""
    sandbox, api_key = caller(request)
    document = await read_document(
        request,
        "permanent_supporting_documents",
        relationships=("template", "identity"),
        many=("files",),
    )
    check(document.attributes, REFERENCE)
    regulation = Regulation(sandbox.state)
    form = _permanent_template(regulation, document)
    identity = linked(
        regulation.records.identities,
        api_key,
        document.target("identity", "identities"),
        "identity",
    )
    files = regulation.take_files(
        api_key, document.targets("files", "encrypted_files") or [], "files"
    )
    doc = PermanentDocument(
        id=new_id(),
        api_key=api_key,
        template_id=form.id,
        identity_id=identity.id,
        file_ids=files,
        created_at=sandbox.state.clock.now(),
        external_reference_id=document.attributes.get("external_reference_id"),
    )
    regulation.records.documents[doc.id] = doc
    return jsonapi(Composer(request, sandbox.state, DOCUMENT_INCLUDES).single(doc), 201)


async def list_documents(request: Request) -> Response:
    """Lists the caller's permanent documents."""
    sandbox, api_key = caller(request)
    mine = [d for d in sandbox.state.records.regulation.documents.values() if d.api_key == api_key]
    found = apply_sort(request, apply_filters(request, mine, RECORD_FILTERS), DOCUMENT_SORTS)
    return jsonapi(Composer(request, sandbox.state, DOCUMENT_INCLUDES).collection(found))


def _document(request: Request) -> tuple[Sandbox, str, PermanentDocument]:
    sandbox, api_key = caller(request)
    items = sandbox.state.records.regulation.documents
    ident = request.path_params["id"]
    return sandbox, api_key, owned(items, api_key, ident, "permanent_supporting_documents")


async def get_document(request: Request) -> Response:
    """Reads one permanent document."""
    sandbox, _, doc = _document(request)
    return jsonapi(Composer(request, sandbox.state, DOCUMENT_INCLUDES).single(doc))


async def update_document(request: Request) -> Response:
    """Changes the reference, or replaces the document with a new template, identity or files."""
    sandbox, api_key, doc = _document(request)
    document = await read_document(
        request,
        "permanent_supporting_documents",
        id_=doc.id,
        relationships=("template", "identity"),
        many=("files",),
    )
    check(document.attributes, REFERENCE)
    regulation = Regulation(sandbox.state)
    if "template" in document.relationships:
        doc.template_id = _permanent_template(regulation, document).id
    if "identity" in document.relationships:
        target = document.target("identity", "identities")
        doc.identity_id = linked(regulation.records.identities, api_key, target, "identity").id
    if "files" in document.collections:
        doc.file_ids = regulation.take_files(
            api_key, document.targets("files", "encrypted_files") or [], "files"
        )
    if "external_reference_id" in document.attributes:
        doc.external_reference_id = document.attributes["external_reference_id"]
    return jsonapi(Composer(request, sandbox.state, DOCUMENT_INCLUDES).single(doc))


async def delete_document(request: Request) -> Response:
    """Deletes a permanent document."""
    sandbox, _, doc = _document(request)
    del sandbox.state.records.regulation.documents[doc.id]
    return jsonapi(None)


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
    resource("/v3/proof_types", GET=proof_types),
    resource("/v3/proof_types/{id}", GET=proof_type),
    resource("/v3/supporting_document_templates", GET=templates),
    resource("/v3/supporting_document_templates/{id}", GET=template),
    resource("/v3/proofs", GET=list_proofs, POST=create_proof),
    resource("/v3/proofs/{id}", GET=get_proof, PATCH=update_proof, DELETE=delete_proof),
    resource("/v3/permanent_supporting_documents", GET=list_documents, POST=create_document),
    resource(
        "/v3/permanent_supporting_documents/{id}",
        GET=get_document,
        PATCH=update_document,
        DELETE=delete_document,
    ),
    resource("/v3/address_requirement_validations", POST=validate),
]
