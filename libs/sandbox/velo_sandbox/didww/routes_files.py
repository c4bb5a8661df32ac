"""`/v3/public_keys` and `/v3/encrypted_files`: the keys documents are encrypted for, and the
encrypted uploads, decrypted once to check them and kept as metadata only."""

from __future__ import annotations

import json

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww.crypto import UploadRefused, public_pem, unseal
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import invalid
from velo_sandbox.didww.filters import Getter, apply_filters, apply_sort
from velo_sandbox.didww.regulation import Regulation, owned
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import caller, jsonapi, sandbox_of

FINGERPRINT_FIELD = "encrypted_files[encryption_fingerprint]"
FILE_FIELD = "encrypted_files[items][][file]"
DESCRIPTION_FIELD = "encrypted_files[items][][description]"
"""The form fields DIDWW's SDKs send (one item per upload here: the answer is one document)."""
MAX_UPLOAD = 20 * 1024 * 1024
ATTRIBUTES = "/data/attributes"
FILE_SORTS: dict[str, Getter] = {
    "description": lambda f: f.description,
    "expire_at": lambda f: f.expires_at,
    "expires_at": lambda f: f.expires_at,
}


async def public_keys(request: Request) -> Response:
    """Lists the two RSA public keys (no api-key needed); carries neither meta nor links."""
    sandbox = sandbox_of(request)
    keys = Regulation(sandbox.state).key_pairs()
    found = apply_filters(request, keys, {"id": lambda k: k.id})
    found = apply_sort(request, found, {"key": public_pem})
    composer = Composer(request, sandbox.state)
    return jsonapi({"data": [composer.resource(k) for k in found]})


async def upload(request: Request) -> Response:
    """Takes one encrypted document; answers `application/json`, as DIDWW does."""
    sandbox, api_key = caller(request)
    form = await _form(request)
    try:
        fingerprint, file, description = _fields(form)
        body = await file.read()
    finally:
        await form.close()
    if len(body) > MAX_UPLOAD:
        raise invalid("file", f"is too large (at most {MAX_UPLOAD // 1024 // 1024} MB)", ATTRIBUTES)
    regulation = Regulation(sandbox.state)
    try:
        found = unseal(body, fingerprint, regulation.key_pairs())
    except UploadRefused as refused:
        raise invalid(refused.field, refused.message, ATTRIBUTES) from None
    if found.content_type is None:
        raise invalid("file", "must be a PDF, JPEG or PNG document", ATTRIBUTES)
    staged = regulation.stage(api_key, found, found.content_type, description)
    doc = Composer(request, sandbox.state).single(staged)
    return Response(json.dumps(doc), status_code=201, media_type="application/json")


async def _form(request: Request) -> FormData:
    try:
        return await request.form(max_files=2, max_fields=10)
    except HTTPException as exc:
        raise invalid(
            "file", f"is not a readable multipart upload ({exc.detail})", ATTRIBUTES
        ) from None


def _fields(form: FormData) -> tuple[str, UploadFile, str | None]:
    fingerprint = form.get(FINGERPRINT_FIELD)
    if not isinstance(fingerprint, str) or not fingerprint.strip():
        raise invalid("encryption_fingerprint", "can't be blank", ATTRIBUTES)
    files = [f for f in form.getlist(FILE_FIELD) if isinstance(f, UploadFile)]
    if not files:
        raise invalid("file", "can't be blank", ATTRIBUTES)
    if len(files) > 1:
        raise invalid("items", "takes one file per upload", ATTRIBUTES)
    description = form.get(DESCRIPTION_FIELD)
    return (
        fingerprint,
        files[0],
        description if isinstance(description, str) and description else None,
    )


async def list_files(request: Request) -> Response:
    """Lists the caller's staged files."""
    sandbox, api_key = caller(request)
    found = apply_filters(request, Regulation(sandbox.state).files(api_key), {"id": lambda f: f.id})
    found = apply_sort(request, found, FILE_SORTS)
    return jsonapi(Composer(request, sandbox.state).collection(found))


async def get_file(request: Request) -> Response:
    """Reads one staged file."""
    sandbox, api_key = caller(request)
    regulation = Regulation(sandbox.state)
    regulation.expire_files()
    staged = owned(regulation.records.files, api_key, request.path_params["id"], "encrypted_files")
    return jsonapi(Composer(request, sandbox.state).single(staged))


async def delete_file(request: Request) -> Response:
    """Deletes a staged file before it expires."""
    sandbox, api_key = caller(request)
    regulation = Regulation(sandbox.state)
    regulation.expire_files()
    staged = owned(regulation.records.files, api_key, request.path_params["id"], "encrypted_files")
    del regulation.records.files[staged.id]
    return jsonapi(None)


ROUTES = [
    resource("/v3/public_keys", GET=public_keys),
    resource("/v3/encrypted_files", GET=list_files, POST=upload),
    resource("/v3/encrypted_files/{id}", GET=get_file, DELETE=delete_file),
]
