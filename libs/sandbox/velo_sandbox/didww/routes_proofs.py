"""`/v3` proof types, supporting document templates, and proofs of identities and addresses."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.bodies import RELATIONSHIPS, Document, read_document
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import invalid, not_found
from velo_sandbox.didww.filters import Getter, apply_filters, apply_sort, equals, text_filters
from velo_sandbox.didww.regulation import Regulation, linked, owned
from velo_sandbox.didww.regulation_records import Address, Identity, Proof
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import Sandbox, caller, jsonapi
from velo_sandbox.didww.state import new_id
from velo_sandbox.didww.validation import Rule, check

REFERENCE = {"external_reference_id": Rule("string")}
PROOF_INCLUDES = ("proof_type", "entity")
RECORD_FILTERS: dict[str, Getter] = {
    "id": lambda r: r.id,
    "external_reference_id": lambda r: r.external_reference_id,
}
PROOF_SORTS: dict[str, Getter] = {
    "created_at": lambda p: p.created_at,
    "expires_at": lambda p: p.expires_at,
    "external_reference_id": lambda p: p.external_reference_id,
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


ROUTES = [
    resource("/v3/proof_types", GET=proof_types),
    resource("/v3/proof_types/{id}", GET=proof_type),
    resource("/v3/supporting_document_templates", GET=templates),
    resource("/v3/supporting_document_templates/{id}", GET=template),
    resource("/v3/proofs", GET=list_proofs, POST=create_proof),
    resource("/v3/proofs/{id}", GET=get_proof, PATCH=update_proof, DELETE=delete_proof),
]
