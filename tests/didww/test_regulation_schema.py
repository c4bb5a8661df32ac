"""Every regulation answer the client relies on validates against DIDWW's own OpenAPI document:
reads (with their includes), writes, the dry run, and the upload's plain-JSON answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from velo_didww import DidwwClient
from velo_sandbox.didww.runtime import Sandbox

from .conftest import SPEC_PATH
from .kyc import applicant, awaiting_did, requirement
from .test_schema import _nullable

HEADERS = {"Api-Key": "sandbox-acme-key"}
MISSING = "00000000-0000-4000-8000-000000000000"
pytestmark = pytest.mark.skipif(not SPEC_PATH.exists(), reason=f"{SPEC_PATH} not present")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _nullable(yaml.load(SPEC_PATH.read_text(), Loader=loader))  # type: ignore[no-any-return]


def _validate(spec: dict[str, Any], path: str, method: str, answer: httpx.Response) -> None:
    response = spec["paths"][path][method]["responses"][str(answer.status_code)]
    content = response["content"]
    media = "application/json" if "application/json" in content else "application/vnd.api+json"
    assert answer.headers["content-type"].startswith(media), (path, answer.headers)
    registry = Registry().with_resource("urn:didww", Resource.opaque(spec))
    ref = {"$ref": "urn:didww" + content[media]["schema"]["$ref"]}
    Draft202012Validator(ref, registry=registry).validate(answer.json())


async def test_every_regulation_read_matches_the_schema(
    spec: dict[str, Any],
    http: httpx.AsyncClient,
    acme: DidwwClient,
    sandbox: Sandbox,
) -> None:
    did = await awaiting_did(acme, sandbox)
    filed = await applicant(acme, sandbox)
    verification = await acme.create_address_verification(filed.address.id, [did.id])
    proof = (await acme.list_proofs())[0]
    staged = await acme.upload_encrypted_file(b"%PDF-1.4")
    catalog = sandbox.state.catalog
    ids = {
        "identity": filed.identity.id,
        "address": filed.address.id,
        "proof": proof.id,
        "file": staged.id,
        "verification": verification.id,
        "proof_type": catalog.proof_types[0].id,
        "template": catalog.templates[0].id,
        "requirement": requirement(sandbox, "Germany Mobile").id,
    }
    walk = [
        ("/public_keys", "/v3/public_keys"),
        ("/encrypted_files", "/v3/encrypted_files"),
        ("/encrypted_files/{id}", "/v3/encrypted_files/{file}"),
        ("/proof_types", "/v3/proof_types"),
        ("/proof_types/{id}", "/v3/proof_types/{proof_type}"),
        ("/supporting_document_templates", "/v3/supporting_document_templates"),
        ("/supporting_document_templates/{id}", "/v3/supporting_document_templates/{template}"),
        (
            "/identities",
            "/v3/identities?include=country,birth_country,proofs,addresses,permanent_documents",
        ),
        ("/identities/{id}", "/v3/identities/{identity}?include=proofs.proof_type"),
        ("/addresses", "/v3/addresses?include=identity,country,area,city,proofs"),
        ("/addresses/{id}", "/v3/addresses/{address}"),
        ("/proofs", "/v3/proofs?include=proof_type,entity"),
        ("/proofs/{id}", "/v3/proofs/{proof}?include=entity"),
        ("/permanent_supporting_documents", "/v3/permanent_supporting_documents"),
        ("/address_verifications", "/v3/address_verifications?include=address,dids"),
        ("/address_verifications/{id}", "/v3/address_verifications/{verification}"),
        ("/address_verifications/{id}", f"/v3/address_verifications/{MISSING}"),
        ("/identities/{id}", f"/v3/identities/{MISSING}"),
        (
            "/address_requirements/{id}",
            "/v3/address_requirements/{requirement}?include=personal_proof_types,"
            "business_proof_types,address_proof_types,personal_permanent_document",
        ),
        ("/dids/{id}", f"/v3/dids/{did.id}?include=address_verification,identity"),
    ]
    for path, url in walk:
        answer = await http.get(url.format(**ids), headers=HEADERS)
        assert answer.status_code in (200, 404), (url, answer.text)
        _validate(spec, path, "get", answer)


async def test_regulation_writes_and_refusals_match_the_schema(
    spec: dict[str, Any],
    http: httpx.AsyncClient,
    acme: DidwwClient,
    sandbox: Sandbox,
) -> None:
    filed = await applicant(acme, sandbox)
    rule = requirement(sandbox, "Germany Mobile").id

    def validation(identity: str) -> dict[str, Any]:
        relationships = {
            "address_requirement": {"data": {"type": "address_requirements", "id": rule}},
            "identity": {"data": {"type": "identities", "id": identity}},
        }
        return {"data": {"type": "address_requirement_validations", "relationships": relationships}}

    bare = await acme.create_identity(
        identity_type="personal", first_name="A", last_name="B", phone_number="1"
    )
    calls = [
        ("/address_requirement_validations", validation(filed.identity.id), 201),
        ("/address_requirement_validations", validation(bare.id), 422),
        ("/identities", {"data": {"type": "identities", "attributes": {"first_name": "x"}}}, 422),
    ]
    for path, body, status in calls:
        answer = await http.post(f"/v3{path}", json=body, headers=HEADERS)
        assert answer.status_code == status, answer.text
        _validate(spec, path, "post", answer)
    update = {"data": {"type": "identities", "id": bare.id, "attributes": {"last_name": "C"}}}
    answer = await http.patch(f"/v3/identities/{bare.id}", json=update, headers=HEADERS)
    _validate(spec, "/identities/{id}", "patch", answer)
    refused = await http.post(
        "/v3/encrypted_files",
        data={"encrypted_files[encryption_fingerprint]": "x"},
        headers=HEADERS,
    )
    _validate(spec, "/encrypted_files", "post", refused)
