"""In-app KYC on the whole system: documents filed through the gateway go to DIDWW encrypted, the
request is checked by DIDWW's dry run before anything is bought, and the number goes from awaiting
registration to Active once DIDWW approves (or back to the admin when it rejects)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from velotest import eventually, read_all

from .conftest import RunningSystem
from .flows import SLOW, request_state, until_status

pytestmark = pytest.mark.infra

MARKER = f"VELO-DOCUMENT-CONTENT-{uuid.uuid4().hex}"
PDF = b"%PDF-1.4\n%" + MARKER.encode() + b"\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _regulated_offer(api: httpx.AsyncClient, skip: set[str] | None = None) -> dict[str, Any]:
    page = (await api.get("/v1/inventory", params={"country": "DE", "type": "mobile"})).json()
    offers = [o for o in page["items"] if o["kyc_required"] and o["number"] not in (skip or set())]
    assert offers, page
    return offers[-1]


async def _identity(api: httpx.AsyncClient, *, complete: bool, last_name: str = "Muster") -> str:
    body: dict[str, Any] = {
        "identity_type": "personal",
        "first_name": "Erika",
        "last_name": last_name,
        "phone_number": "4930123456",
        "country": "DE",
    }
    if complete:
        body |= {"birth_date": "1980-04-01", "birth_country": "DE"}
    made = await api.post("/v1/kyc/identities", json=body)
    assert made.status_code == 201, made.text
    identity_id: str = made.json()["id"]
    return identity_id


async def _address(api: httpx.AsyncClient, identity_id: str, street: str = "Hauptstr. 1") -> str:
    body = {"country": "DE", "city_name": "Berlin", "postal_code": "10115", "address": street}
    made = await api.post(f"/v1/kyc/identities/{identity_id}/addresses", json=body)
    assert made.status_code == 201, made.text
    address_id: str = made.json()["id"]
    return address_id


async def _prove(api: httpx.AsyncClient, identity_id: str) -> dict[str, Any]:
    kinds = (await api.get("/v1/kyc/proof-types")).json()["items"]
    personal = next(k for k in kinds if k["entity_type"] == "Personal")
    form = {"entity_type": "identity", "entity_id": identity_id, "proof_type_id": personal["id"]}
    files = {"file": ("passport.pdf", PDF, "application/pdf")}
    filed = await api.post("/v1/kyc/proofs", data=form, files=files)
    assert filed.status_code == 201, filed.text
    proof: dict[str, Any] = filed.json()
    return proof


async def _complete_filing(api: httpx.AsyncClient) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Files a complete identity (with its proof) and an address; returns the identity, a
    regulated offer and the request body that registers it with them."""
    identity_id = await _identity(api, complete=True)
    await _prove(api, identity_id)
    address_id = await _address(api, identity_id)
    offer = await _regulated_offer(api)
    body = {"offer_id": offer["offer_id"], "identity_id": identity_id, "address_id": address_id}
    return identity_id, offer, body


def _orders(running: RunningSystem) -> int:
    counters = running.sandbox("didww", "GET", "/_admin/counters/orders")
    return int(sum(counters["by_external_reference_id"].values()))


async def test_a_request_with_an_incomplete_identity_is_refused_before_any_order(
    running: RunningSystem,
) -> None:
    async with running.api("globex", "admin@globex") as api:
        offer = await _regulated_offer(api)
        asked = await api.get("/v1/kyc/requirements", params={"offer_id": offer["offer_id"]})
        assert asked.status_code == 200, asked.text
        assert any("date of birth" in line for line in asked.json()["asks"])
        identity_id = await _identity(api, complete=False)
        address_id = await _address(api, identity_id)
        orders = _orders(running)
        body = {"offer_id": offer["offer_id"], "identity_id": identity_id, "address_id": address_id}
        refused = await api.post("/v1/number-requests", json=body)
    assert refused.status_code == 422, refused.text
    missing = {(m["entity"], m["field"]) for m in refused.json()["missing"]}
    assert ("identity", "birth_date") in missing
    assert any(field == "proofs" for _, field in missing)  # and its proof of identity
    assert _orders(running) == orders  # nothing bought


async def test_a_complete_filing_is_ordered_registered_and_activated(
    running: RunningSystem,
) -> None:
    async with running.api("globex", "admin@globex") as api:
        _, offer, body = await _complete_filing(api)
        running.auto_review(2.0)  # DIDWW's reviewers answer by themselves after 2 s
        try:
            submitted = time.monotonic()
            accepted = await api.post("/v1/number-requests", json=body)
            assert accepted.status_code == 202, accepted.text
            row = await until_status(api, offer["number"], "registering")
            assert row["registration"]["status"] in ("awaiting", "pending")
            await until_status(api, offer["number"], "active")
            took = time.monotonic() - submitted
        finally:
            running.auto_review(None)
        state = await request_state(api, accepted.json()["id"])
        assert state["registration"]["status"] == "approved"
        put = await api.put(
            f"/v1/numbers/{offer['number']}/assignment", json={"outbound_agent": "111"}
        )
        assert put.status_code == 202
        await eventually(lambda: "111" in running.routing("globex")["caller_ids"], timeout=SLOW)
    print(f"in-app KYC: submit → Active {took:.1f} s ({offer['number']})")


async def test_a_rejected_registration_is_corrected_and_then_approved(
    running: RunningSystem,
) -> None:
    async with running.api("globex", "admin@globex") as api:
        identity_id, offer, body = await _complete_filing(api)
        assert (await api.post("/v1/number-requests", json=body)).status_code == 202
        await eventually(lambda: _registration(api, offer["number"], "pending"), timeout=SLOW)
        running.review_registration(offer["number"], "reject", ["Address proof unreadable"])
        rejected = await eventually(
            lambda: _registration(api, offer["number"], "rejected"), timeout=SLOW
        )
        assert rejected["registration"]["reasons"] == ["Address proof unreadable"]
        await eventually(lambda: _alerted(api, offer["number"], "rejected"), timeout=SLOW)

        corrected = await _address(api, identity_id, street="Hauptstr. 2")
        again = {"identity_id": identity_id, "address_id": corrected}
        resubmitted = await api.post(f"/v1/numbers/{offer['number']}/registration", json=again)
        assert resubmitted.status_code == 202, resubmitted.text
        await eventually(lambda: _registration(api, offer["number"], "pending"), timeout=SLOW)
        running.review_registration(offer["number"], "approve")
        await until_status(api, offer["number"], "active")
        twice = await api.post(f"/v1/numbers/{offer['number']}/registration", json=again)
    assert twice.status_code == 409  # nothing left to correct


async def test_a_number_awaiting_registration_can_be_released_and_its_request_ends(
    running: RunningSystem,
) -> None:
    async with running.api("globex", "admin@globex") as api:
        _, offer, body = await _complete_filing(api)
        accepted = await api.post("/v1/number-requests", json=body)
        await eventually(lambda: _registration(api, offer["number"], "pending"), timeout=SLOW)
        released = await api.post(f"/v1/numbers/{offer['number']}/release")
        assert released.status_code == 202, released.text
        row = await until_status(api, offer["number"], "released")
        assert row["released_at"]

        async def ended() -> dict[str, Any] | None:
            state = await request_state(api, accepted.json()["id"])
            return state if state["status"] != "registering" else None

        state = await eventually(ended, timeout=SLOW)
    assert (state["status"], state["reason"]) == ("rejected", "already_released")


async def test_documents_are_refused_unless_pdf_jpeg_or_png_and_reused_without_new_uploads(
    running: RunningSystem,
) -> None:
    async with running.api("globex", "admin@globex") as api:
        identity_id = await _identity(api, complete=True)
        kinds = (await api.get("/v1/kyc/proof-types")).json()["items"]
        personal = next(k for k in kinds if k["entity_type"] == "Personal")["id"]
        form = {"entity_type": "identity", "entity_id": identity_id, "proof_type_id": personal}
        script = {"file": ("passport.pdf", b"#!/bin/sh\necho hi\n", "application/pdf")}
        refused = await api.post("/v1/kyc/proofs", data=form, files=script)
        assert refused.status_code == 422 and refused.json()["field"] == "file"
        await _prove(api, identity_id)
        address_id = await _address(api, identity_id)
        uploads = _uploads(running)
        first = await _regulated_offer(api)
        second = await _regulated_offer(api, skip={first["number"]})
        for offer in (first, second):
            body = {"offer_id": offer["offer_id"], "identity_id": identity_id}
            body["address_id"] = address_id
            assert (await api.post("/v1/number-requests", json=body)).status_code == 202
        for offer in (first, second):
            await until_status(api, offer["number"], "registering")
        assert _uploads(running) == uploads  # the second number reused the identity's proofs
        listed = (await api.get("/v1/kyc/identities")).json()["items"]
        mine = next(i for i in listed if i["id"] == identity_id)
        assert [p["documents"][0]["content_type"] for p in mine["proofs"]] == ["application/pdf"]


async def test_another_tenant_sees_and_uses_none_of_it(running: RunningSystem) -> None:
    async with running.api("globex", "admin@globex") as globex, running.api() as acme:
        identity_id = await _identity(globex, complete=True)
        address_id = await _address(globex, identity_id)
        listed = await acme.get("/v1/kyc/identities")
        borrowed = await acme.post(
            f"/v1/kyc/identities/{identity_id}/addresses",
            json={"country": "DE", "city_name": "Berlin", "postal_code": "10115", "address": "x"},
        )
        offer = await _regulated_offer(acme)
        body = {"offer_id": offer["offer_id"], "identity_id": identity_id, "address_id": address_id}
        requested = await acme.post("/v1/number-requests", json=body)
    # acme keeps V1 (in-app KYC off): nothing of globex's is listed, borrowed or checked
    assert listed.status_code == 200 and all(i["id"] != identity_id for i in listed.json()["items"])
    assert borrowed.status_code in (404, 409)
    assert requested.status_code in (404, 409)


async def test_no_document_content_reaches_logs_databases_or_topics(
    running: RunningSystem,
) -> None:
    async with running.api("globex", "admin@globex") as api:
        identity_id = await _identity(api, complete=True)
        await _prove(api, identity_id)
    needle = MARKER.encode()
    for log in running.system.logs.glob("*.log"):
        assert needle not in log.read_bytes(), log.name
    client: MongoClient[dict[str, Any]] = MongoClient(running.system.infra.endpoints.mongo_url)
    try:
        for name in client.list_database_names():
            for collection in client[name].list_collection_names():
                for document in client[name][collection].find():
                    assert MARKER not in repr(document), f"{name}.{collection}"
    finally:
        client.close()
    for topic in ("velo.ordering.events.v1",):
        for record in await read_all(running.system.infra.endpoints.kafka_bootstrap, topic):
            assert needle not in (record.value or b"")


async def _alerted(api: httpx.AsyncClient, number: str, words: str) -> bool:
    alerts = (await api.get("/v1/alerts")).json()["items"]
    return any(a["number"] == number and words in a["title"] for a in alerts)


async def _registration(api: httpx.AsyncClient, number: str, status: str) -> dict[str, Any] | None:
    row: dict[str, Any] = (await api.get(f"/v1/numbers/{number}")).json()
    return row if (row.get("registration") or {}).get("status") == status else None


def _uploads(running: RunningSystem) -> int:
    files = running.sandbox(
        "didww", "GET", "/v3/encrypted_files", headers={"Api-Key": "sandbox-globex-key"}
    )
    return int(files["meta"]["total_records"])
