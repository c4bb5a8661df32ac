"""`/v3/permanent_supporting_documents`: completed permanent templates kept on file against an
identity."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.bodies import RELATIONSHIPS, Document, read_document
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import invalid
from velo_sandbox.didww.filters import Getter, apply_filters, apply_sort
from velo_sandbox.didww.regulation import Regulation, linked, owned
from velo_sandbox.didww.regulation_records import PermanentDocument
from velo_sandbox.didww.routes_proofs import RECORD_FILTERS, REFERENCE
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import Sandbox, caller, jsonapi
from velo_sandbox.didww.state import new_id
from velo_sandbox.didww.validation import check

DOCUMENT_INCLUDES = ("template", "identity")
DOCUMENT_SORTS: dict[str, Getter] = {
    "created_at": lambda d: d.created_at,
    "external_reference_id": lambda d: d.external_reference_id,
}


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


ROUTES = [
    resource("/v3/permanent_supporting_documents", GET=list_documents, POST=create_document),
    resource(
        "/v3/permanent_supporting_documents/{id}",
        GET=get_document,
        PATCH=update_document,
        DELETE=delete_document,
    ),
]
