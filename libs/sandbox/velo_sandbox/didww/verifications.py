"""Address verifications as DIDWW runs them: submitted for DIDs awaiting registration when the
address and its identity meet every requirement of those DIDs, then approved (the DIDs carry
traffic) or rejected with reasons (the DIDs keep waiting; submit corrected documents anew).

Automatic review (`--review-delay`): approved, unless the identity's last name contains
"Reject" (any case) — then rejected with `AUTO_REJECT_REASONS` and `AUTO_REJECT_COMMENT`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from urllib.parse import urlsplit

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.bodies import RELATIONSHIPS, Document
from velo_sandbox.didww.errors import invalid
from velo_sandbox.didww.records import Did
from velo_sandbox.didww.regulation import Regulation, linked
from velo_sandbox.didww.regulation_records import Address, AddressVerification, Identity
from velo_sandbox.didww.requirement_check import (
    Shortfall,
    address_shortfalls,
    identity_shortfalls,
    place_shortfalls,
    refuse_if_short,
)
from velo_sandbox.didww.state import new_id
from velo_sandbox.didww.validation import Rule, check

RULES = {
    "service_description": Rule("string", nullable=True),
    "callback_url": Rule("string", nullable=True),
    "callback_method": Rule("string", nullable=True, choices=("get", "post")),
    "external_reference_id": Rule("string"),
}
AUTO_REJECT_MARK = "reject"
AUTO_REJECT_REASONS = ["The proof of identity is not legible."]
AUTO_REJECT_COMMENT = "Automatic review: the identity's last name asks for a rejection."
ADDRESS = f"{RELATIONSHIPS}/address"
_rng = random.Random()  # noqa: S311 - references, not secrets


def submit(regulation: Regulation, api_key: str, document: Document) -> AddressVerification:
    """Checks and records a submission; raises DIDWW's 422 naming every shortfall."""
    attributes = document.attributes
    check(attributes, RULES)
    _check_callback(attributes.get("callback_url"))
    records = regulation.records
    address = linked(records.addresses, api_key, document.target("address", "addresses"), "address")
    dids = _waiting_dids(regulation, api_key, document.targets("dids", "dids") or [])
    onetime = document.targets("onetime_files", "encrypted_files") or []
    identity = records.identities[address.identity_id]
    refuse_if_short(_shortfalls(regulation, identity, address, dids, attributes, bool(onetime)))
    taken = regulation.take_files(api_key, onetime, "onetime_files") if onetime else []
    url = attributes.get("callback_url")
    verification = AddressVerification(
        id=new_id(),
        api_key=api_key,
        reference=f"AV-{_rng.randint(100000, 999999)}",
        address_id=address.id,
        did_ids=[d.id for d in dids],
        onetime_file_ids=taken,
        service_description=attributes.get("service_description"),
        callback_url=url,
        callback_method=attributes.get("callback_method") or ("post" if url else None),
        external_reference_id=attributes.get("external_reference_id"),
        created_at=regulation.state.clock.now(),
    )
    records.verifications[verification.id] = verification
    for did in dids:
        did.address_verification_id = verification.id
    return verification


def _check_callback(url: str | None) -> None:
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid("callback_url", "is invalid")


def _waiting_dids(regulation: Regulation, api_key: str, ids: Sequence[str]) -> list[Did]:
    if not ids:
        raise invalid("dids", "can't be blank", RELATIONSHIPS)
    pending = {
        did_id
        for v in regulation.records.verifications.values()
        if v.status == "pending"
        for did_id in v.did_ids
    }
    found = []
    for ident in dict.fromkeys(ids):
        did = regulation.state.records.dids.get(ident)
        if did is None or did.api_key != api_key:
            raise invalid("dids", "is invalid", RELATIONSHIPS)
        if did.terminated or not did.awaiting_registration:
            raise invalid("dids", f"{did.number} is not awaiting registration", RELATIONSHIPS)
        if did.id in pending:
            message = f"{did.number} has a pending address verification"
            raise invalid("dids", message, RELATIONSHIPS)
        found.append(did)
    return found


def _shortfalls(
    regulation: Regulation,
    identity: Identity,
    address: Address,
    dids: Sequence[Did],
    attributes: dict[str, object],
    has_onetime: bool,
) -> list[Shortfall]:
    groups = [regulation.state.catalog.by_id[d.group_id] for d in dids]
    requirements = {
        g.requirement.id: g.requirement
        for g in groups
        if isinstance(g, cat.DidGroup) and g.requirement
    }
    found: dict[str, Shortfall] = {}
    for requirement in requirements.values():
        for shortfall in _requirement_shortfalls(
            regulation, requirement, identity, address, groups
        ):
            found.setdefault(shortfall.pointer + shortfall.message, shortfall)
        if requirement.onetime_document and not has_onetime:
            message = f"needs the completed {requirement.onetime_document.name}"
            short = Shortfall(f"{RELATIONSHIPS}/onetime_files", "onetime_files", message)
            found.setdefault(short.pointer, short)
        if requirement.service_description_required and not attributes.get("service_description"):
            short = Shortfall(
                "/data/attributes/service_description", "service_description", "can't be blank"
            )
            found.setdefault(short.pointer, short)
    return list(found.values())


def _requirement_shortfalls(
    regulation: Regulation,
    requirement: cat.Requirement,
    identity: Identity,
    address: Address,
    groups: Sequence[object],
) -> list[Shortfall]:
    proofs, docs = regulation.proofs_of(identity.id), regulation.documents_of(identity.id)
    local = [g for g in groups if isinstance(g, cat.DidGroup) and g.requirement is requirement]
    return [
        *identity_shortfalls(requirement, identity, proofs, docs, f"{ADDRESS}/identity"),
        *address_shortfalls(requirement, address, regulation.proofs_of(address.id), ADDRESS),
        *place_shortfalls(requirement, address, local, ADDRESS),
    ]


def approve(regulation: Regulation, verification: AddressVerification) -> None:
    """Approves a pending verification: its DIDs stop awaiting registration and carry traffic."""
    verification.status = "approved"
    verification.reviewed_at = regulation.state.clock.now()
    for did_id in verification.did_ids:
        did = regulation.state.records.dids.get(did_id)
        if did is not None:
            did.awaiting_registration = False
            did.blocked = did.terminated
    address = regulation.records.addresses.get(verification.address_id)
    if address is not None:
        address.verified = True
        identity = regulation.records.identities.get(address.identity_id)
        if identity is not None:
            identity.verified = True


def reject(
    regulation: Regulation,
    verification: AddressVerification,
    reasons: list[str],
    comment: str | None,
) -> None:
    """Rejects a pending verification with reasons; its DIDs keep awaiting registration."""
    verification.status = "rejected"
    verification.reject_reasons = list(reasons)
    verification.reject_comment = comment
    verification.reviewed_at = regulation.state.clock.now()


def automatic_verdict(regulation: Regulation, verification: AddressVerification) -> bool:
    """Tells whether automatic review approves verification (see the module's doc)."""
    address = regulation.records.addresses.get(verification.address_id)
    identity = regulation.records.identities.get(address.identity_id) if address else None
    return identity is None or AUTO_REJECT_MARK not in identity.last_name.casefold()
