"""KYC through DIDWW's regulation endpoints: a requirement checked before buying, then an
address verification that takes a DID awaiting registration to traffic — or back with reasons."""

from __future__ import annotations

import httpx
import pytest

from velo_didww import DidwwClient, NotFound, RequirementNotMet, ValidationFailed
from velo_sandbox.didww.cli import config_from, parse
from velo_sandbox.didww.runtime import Sandbox

from .conftest import Waiter
from .kyc import PDF, applicant, awaiting_did, country, proof_type, requirement


def _fields(refused: RequirementNotMet) -> list[tuple[str | None, str | None]]:
    return [(p.entity, p.field) for p in refused.problems]


async def test_an_incomplete_identity_is_refused_naming_each_missing_field_and_proof(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    identity = await acme.create_identity(
        identity_type="personal", first_name="Jane", last_name="Doe", phone_number="4930123456"
    )
    with pytest.raises(RequirementNotMet) as refused:
        await acme.validate_address_requirement(
            requirement(sandbox, "Germany Mobile").id, identity_id=identity.id
        )
    assert _fields(refused.value) == [
        ("identity", "birth_date"),
        ("identity", "birth_country"),
        ("identity", "proofs"),
    ]
    assert refused.value.problems[2].detail.startswith("identity.proofs - needs 1 proof (Passport")


async def test_a_complete_identity_and_address_pass_the_dry_run_and_nothing_is_stored(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    filed = await applicant(acme, sandbox)
    before = sandbox.state.records.model_dump_json()
    await acme.validate_address_requirement(
        requirement(sandbox, "Germany Mobile").id,
        identity_id=filed.identity.id,
        address_id=filed.address.id,
    )
    assert sandbox.state.records.model_dump_json() == before


async def test_a_business_identity_is_refused_where_only_persons_may_register(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    business = await acme.create_identity(
        identity_type="business",
        first_name="Jane",
        last_name="Doe",
        phone_number="390612345",
        company_name="Acme Srl",
    )
    with pytest.raises(RequirementNotMet) as refused:
        await acme.validate_address_requirement(
            requirement(sandbox, "Italy Mobile").id, identity_id=business.id
        )
    assert _fields(refused.value) == [("identity", "identity_type")]


async def test_an_address_in_another_country_or_without_proofs_is_refused(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    filed = await applicant(acme, sandbox)
    with pytest.raises(RequirementNotMet) as refused:
        await acme.validate_address_requirement(
            requirement(sandbox, "London").id, address_id=filed.address.id
        )
    assert _fields(refused.value) == [("address", "country"), ("address", "proofs")]


async def test_an_address_outside_the_numbers_area_is_refused_at_verification(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    paris = await awaiting_did(acme, sandbox, "Paris")
    identity = (await applicant(acme, sandbox)).identity
    france = country(sandbox, "FR").id
    lyon = await acme.create_address(
        identity.id, france, address="1 rue X", city_name="Lyon", postal_code="69001"
    )
    bill = await acme.upload_encrypted_file(PDF)
    await acme.create_proof("address", lyon.id, proof_type(sandbox, "Utility bill"), [bill.id])
    await acme.validate_address_requirement(requirement(sandbox, "Paris").id, address_id=lyon.id)
    with pytest.raises(RequirementNotMet) as refused:
        await acme.create_address_verification(lyon.id, [paris.id])
    assert _fields(refused.value) == [("address", "city_name")]
    assert "Zone 01" in refused.value.problems[0].detail


async def test_a_verification_is_pending_then_approved_and_the_did_carries_traffic(
    acme: DidwwClient, sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    did = await awaiting_did(acme, sandbox)
    assert did.awaiting_registration and did.blocked
    filed = await applicant(acme, sandbox)
    verification = await acme.create_address_verification(filed.address.id, [did.id])
    assert (verification.status, verification.did_ids) == ("pending", [did.id])
    approved = await http.post(f"/_admin/address_verifications/{verification.id}/approve")
    assert approved.json()["status"] == "approved"
    assert (await acme.get_address_verification(verification.id)).status == "approved"
    now = await acme.get_did(did.id)
    assert not now.awaiting_registration and not now.blocked
    assert now.address_verification_id == verification.id
    assert (await acme.get_identity(filed.identity.id)).verified


async def test_a_rejection_shows_reasons_and_corrected_documents_are_approved(
    acme: DidwwClient, sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    did = await awaiting_did(acme, sandbox)
    filed = await applicant(acme, sandbox)
    first = await acme.create_address_verification(filed.address.id, [did.id])
    reasons = {"reject_reasons": ["Passport expired"], "reject_comment": "Send a valid one."}
    await http.post(f"/_admin/address_verifications/{first.id}/reject", json=reasons)
    rejected = await acme.get_address_verification(first.id)
    assert (rejected.status, rejected.reject_reasons, rejected.reject_comment) == (
        "rejected",
        ["Passport expired"],
        "Send a valid one.",
    )
    assert (await acme.get_did(did.id)).awaiting_registration
    scan = await acme.upload_encrypted_file(PDF, description="new passport")
    await acme.create_proof(
        "identity", filed.identity.id, proof_type(sandbox, "Passport"), [scan.id]
    )
    second = await acme.create_address_verification(filed.address.id, [did.id])
    await http.post(f"/_admin/address_verifications/{second.id}/approve")
    assert not (await acme.get_did(did.id)).awaiting_registration
    statuses = {v.id: v.status for v in await acme.list_address_verifications()}
    assert statuses == {first.id: "rejected", second.id: "approved"}


async def test_only_dids_awaiting_registration_without_a_pending_review_are_taken(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    did = await awaiting_did(acme, sandbox)
    filed = await applicant(acme, sandbox)
    await acme.create_address_verification(filed.address.id, [did.id])
    with pytest.raises(ValidationFailed) as twice:
        await acme.create_address_verification(filed.address.id, [did.id])
    assert "pending address verification" in twice.value.detail
    berlin = await awaiting_did(acme, sandbox, "Berlin")
    with pytest.raises(ValidationFailed) as unregulated:
        await acme.create_address_verification(filed.address.id, [berlin.id])
    assert "not awaiting registration" in unregulated.value.detail


async def test_one_time_documents_and_a_service_description_are_asked_where_required(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    did = await awaiting_did(acme, sandbox, "Italy Toll-free")
    identity = await acme.create_identity(
        identity_type="business",
        first_name="Mario",
        last_name="Rossi",
        phone_number="390612345",
        company_name="Rossi Srl",
        company_reg_number="RM-1",
    )
    italy = country(sandbox, "IT").id
    office = await acme.create_address(
        identity.id, italy, address="Via Roma 1", city_name="Rome", postal_code="00100"
    )
    for entity, ident, kind in (
        ("identity", identity.id, "Certificate of incorporation"),
        ("address", office.id, "Utility bill"),
    ):
        scan = await acme.upload_encrypted_file(PDF)
        await acme.create_proof(entity, ident, proof_type(sandbox, kind), [scan.id])
    with pytest.raises(RequirementNotMet) as refused:
        await acme.create_address_verification(office.id, [did.id])
    assert _fields(refused.value) == [(None, "onetime_files"), (None, "service_description")]
    form = await acme.upload_encrypted_file(PDF, description="usage declaration")
    verification = await acme.create_address_verification(
        office.id, [did.id], onetime_file_ids=[form.id], service_description="Customer hotline"
    )
    assert verification.service_description == "Customer hotline"


async def test_automatic_review_approves_and_rejects_by_last_name(
    acme: DidwwClient, sandbox: Sandbox, http: httpx.AsyncClient, wait_for: Waiter
) -> None:
    await http.put("/_admin/address_verifications/auto_review", json={"delay": 0.05})
    kept, refused = await awaiting_did(acme, sandbox), await awaiting_did(acme, sandbox)
    good = await applicant(acme, sandbox)
    bad = await applicant(acme, sandbox, last_name="Rejectmann")
    approved = await acme.create_address_verification(good.address.id, [kept.id])
    rejected = await acme.create_address_verification(bad.address.id, [refused.id])

    async def reviewed() -> bool:
        found = {v.id: v.status for v in await acme.list_address_verifications()}
        return "pending" not in found.values()

    await wait_for(reviewed)
    assert (await acme.get_address_verification(approved.id)).status == "approved"
    answer = await acme.get_address_verification(rejected.id)
    assert answer.status == "rejected" and answer.reject_reasons
    assert (await acme.get_did(refused.id)).awaiting_registration


async def test_another_account_sees_none_of_it(
    acme: DidwwClient, globex: DidwwClient, sandbox: Sandbox
) -> None:
    did = await awaiting_did(acme, sandbox)
    filed = await applicant(acme, sandbox)
    verification = await acme.create_address_verification(filed.address.id, [did.id])
    for read in (
        globex.get_identity(filed.identity.id),
        globex.get_address(filed.address.id),
        globex.get_address_verification(verification.id),
    ):
        with pytest.raises(NotFound):
            await read
    assert await globex.list_identities() == []
    assert await globex.list_proofs() == []
    assert await globex.list_address_verifications() == []
    with pytest.raises(ValidationFailed):
        await globex.create_proof(
            "identity", filed.identity.id, proof_type(sandbox, "Passport"), ["x"]
        )


async def test_an_admin_reviews_only_pending_verifications_and_names_reasons(
    acme: DidwwClient, sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    did = await awaiting_did(acme, sandbox)
    filed = await applicant(acme, sandbox)
    verification = await acme.create_address_verification(filed.address.id, [did.id])
    listed = (await http.get("/_admin/address_verifications?status=pending")).json()
    assert [(v["id"], v["numbers"]) for v in listed] == [(verification.id, [did.number])]
    path = f"/_admin/address_verifications/{verification.id}"
    assert (await http.post(f"{path}/reject", json={"reject_reasons": []})).status_code == 400
    assert (await http.post(f"{path}/approve")).status_code == 200
    assert (await http.post(f"{path}/approve")).status_code == 409
    assert (await http.post(f"/_admin/address_verifications/{did.id}/approve")).status_code == 404


async def test_automatic_review_is_switched_at_run_time_and_by_the_command_line(
    http: httpx.AsyncClient,
) -> None:
    assert (await http.get("/_admin/address_verifications/auto_review")).json() == {"delay": None}
    switched = await http.put("/_admin/address_verifications/auto_review", json={"delay": 2})
    assert switched.json() == {"delay": 2.0}
    refused = await http.put("/_admin/address_verifications/auto_review", json={"delay": "soon"})
    assert refused.status_code == 400
    assert config_from(parse(["--review-delay", "1.5"])).review_delay == 1.5
    assert config_from(parse([])).review_delay is None


async def test_a_proof_must_prove_what_it_is_filed_for(acme: DidwwClient, sandbox: Sandbox) -> None:
    filed = await applicant(acme, sandbox)
    scan = await acme.upload_encrypted_file(PDF)
    with pytest.raises(ValidationFailed) as refused:
        await acme.create_proof(
            "identity", filed.identity.id, proof_type(sandbox, "Utility bill"), [scan.id]
        )
    assert refused.value.detail == "proof_type - does not prove a personal identity"
    with pytest.raises(ValidationFailed) as unstaged:
        await acme.create_proof(
            "address", filed.address.id, proof_type(sandbox, "Utility bill"), ["no-such-file"]
        )
    assert unstaged.value.pointer == "/data/relationships/files"
