"""DIDWW calls back when it has reviewed an address verification, signed with the account's
callback secret exactly like order callbacks, and our signature module verifies it."""

from __future__ import annotations

import httpx

from velo_didww import DidwwClient, verify_callback
from velo_sandbox.didww import ACME_CALLBACK_SECRET
from velo_sandbox.didww.runtime import Sandbox
from velo_sandbox.serve import RunningServer

from .conftest import Received
from .kyc import applicant, awaiting_did


async def test_each_review_is_called_back_signed_with_the_callback_secret(
    acme: DidwwClient,
    sandbox: Sandbox,
    http: httpx.AsyncClient,
    callbacks: tuple[RunningServer, Received],
) -> None:
    server, received = callbacks
    url = f"{server.url}/didww?tenant=acme"
    did = await awaiting_did(acme, sandbox)
    filed = await applicant(acme, sandbox)
    first = await acme.create_address_verification(filed.address.id, [did.id], callback_url=url)
    await http.post(
        f"/_admin/address_verifications/{first.id}/reject", json={"reject_reasons": ["Blurred"]}
    )
    second = await acme.create_address_verification(filed.address.id, [did.id], callback_url=url)
    await http.post(f"/_admin/address_verifications/{second.id}/approve")
    calls = [received.get(timeout=5) for _ in range(2)]
    payloads = [payload for _, payload, _ in calls]
    assert payloads == [
        {"id": first.id, "type": "address_verifications", "status": "rejected"},
        {"id": second.id, "type": "address_verifications", "status": "approved"},
    ]
    for called, payload, signature in calls:
        assert verify_callback(ACME_CALLBACK_SECRET, called, payload, signature)
        assert not verify_callback("another-secret", called, payload, signature)


async def test_no_callback_is_sent_while_no_callback_secret_is_enabled(
    acme: DidwwClient, sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    await http.delete("/_admin/accounts/sandbox-acme-key/callback_secret")
    did = await awaiting_did(acme, sandbox)
    filed = await applicant(acme, sandbox)
    verification = await acme.create_address_verification(
        filed.address.id, [did.id], callback_url="http://127.0.0.1:9/didww"
    )
    await http.post(f"/_admin/address_verifications/{verification.id}/approve")
    counters = (await http.get("/_admin/counters/address_verifications")).json()
    assert counters == {"callbacks": [], "callbacks_withheld": [verification.id]}
