"""The client's regulation calls: public keys read once an hour (again when DIDWW changed them),
uploads safe to repeat, and each requirement problem named by entity and field."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from velo_didww import (
    DidwwClient,
    ErrorItem,
    PublicKey,
    RetryPolicy,
    encrypt_for_upload,
    read_callback,
)
from velo_didww.errors import RequirementProblem, requirement_problem
from velo_sandbox.didww.crypto import new_private_pem
from velo_sandbox.didww.regulation_records import KeyPair
from velo_sandbox.didww.runtime import Sandbox

from .conftest import ACME, BASE
from .kyc import PDF


def _counting_client(app: Starlette, seen: list[str]) -> DidwwClient:
    async def note(request: httpx.Request) -> None:
        seen.append(f"{request.method} {request.url.path}")

    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), event_hooks={"request": [note]}
    )
    retry = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
    return DidwwClient(ACME, f"{BASE}/v3", http=http, rate_limit=None, retry=retry)


async def test_uploads_read_the_public_keys_once(app: Starlette) -> None:
    seen: list[str] = []
    async with _counting_client(app, seen) as client:
        await client.upload_encrypted_file(PDF)
        await client.upload_encrypted_file(PDF)
    assert seen.count("GET /v3/public_keys") == 1
    assert seen.count("POST /v3/encrypted_files") == 2


async def test_new_keys_are_read_again_when_didww_changed_them(
    app: Starlette, sandbox: Sandbox
) -> None:
    seen: list[str] = []
    async with _counting_client(app, seen) as client:
        await client.upload_encrypted_file(PDF)
        sandbox.state.records.regulation.key_pairs = [
            KeyPair(id=f"new-{n}", private_pem=new_private_pem()) for n in range(2)
        ]
        staged = await client.upload_encrypted_file(PDF)
    assert staged.id in sandbox.state.records.regulation.files
    assert seen.count("GET /v3/public_keys") == 2


def test_encryption_takes_exactly_two_keys() -> None:
    with pytest.raises(ValueError, match="exactly 2"):
        encrypt_for_upload(PDF, [PublicKey(id="a", key="")])


def test_a_problem_is_named_by_its_pointer_or_else_its_detail() -> None:
    by_pointer = ErrorItem(
        "can't be blank",
        "identity.birth_date - can't be blank",
        "100",
        "422",
        "/data/relationships/address/identity/birth_date",
    )
    by_detail = ErrorItem("x", "address.proofs - needs 1 proof", "100", "422", None)
    assert requirement_problem(by_pointer) == RequirementProblem(
        "identity", "birth_date", by_pointer.detail, by_pointer.pointer
    )
    assert (requirement_problem(by_detail).entity, requirement_problem(by_detail).field) == (
        "address",
        "proofs",
    )


def test_a_callback_payload_says_which_resource_changed() -> None:
    notice = read_callback({"id": "v1", "type": "address_verifications", "status": "rejected"})
    assert (notice.type, notice.status) == ("address_verifications", "rejected")
    with pytest.raises(ValueError, match="status"):
        read_callback({"id": "v1", "type": "orders"})
