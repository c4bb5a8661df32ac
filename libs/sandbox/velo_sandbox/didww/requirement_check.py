"""Whether an identity and an address satisfy an address requirement: pure checks returning
every shortfall, each a 422 entry whose pointer ends with the field at fault.

Pointers: `<base>/<field>`, base being where the entity sits in the request —
`/data/relationships/identity`, `/data/relationships/address`, or for the identity behind an
address verification's address `/data/relationships/address/identity`. Details read
`identity.birth_date - can't be blank`, DIDWW's `<attribute> - <message>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.errors import ApiError, entry
from velo_sandbox.didww.regulation_records import Address, Identity, PermanentDocument, Proof

RELATIONSHIP_FIELDS = {"country": "country_id", "birth_country": "birth_country_id"}
SIDES = {"personal": "Personal", "business": "Business"}


@dataclass(frozen=True)
class Shortfall:
    """One thing the requirement misses."""

    pointer: str
    subject: str
    message: str

    def entry(self) -> dict[str, Any]:
        """Returns the 422 error entry."""
        return entry(self.message, f"{self.subject} - {self.message}", "100", 422, self.pointer)


def refuse_if_short(shortfalls: Sequence[Shortfall]) -> None:
    """Raises one 422 naming every shortfall, if there is any."""
    if shortfalls:
        raise ApiError(422, *(s.entry() for s in shortfalls))


def identity_shortfalls(
    requirement: cat.Requirement,
    identity: Identity,
    proofs: Sequence[Proof],
    documents: Sequence[PermanentDocument],
    base: str,
) -> list[Shortfall]:
    """Returns what the identity lacks: the right type, mandatory fields, proofs, documents."""
    if not requirement.accepts(identity.identity_type):
        wanted = f"must be {requirement.identity_type} for these numbers"
        return [Shortfall(f"{base}/identity_type", "identity.identity_type", wanted)]
    found = [
        Shortfall(f"{base}/{name}", f"identity.{name}", "can't be blank")
        for name in requirement.mandatory_fields_of(identity.identity_type)
        if not getattr(identity, RELATIONSHIP_FIELDS.get(name, name))
    ]
    kind = SIDES[identity.identity_type]
    found += _proofs(requirement, kind, proofs, f"{base}/proofs", "identity.proofs")
    template = requirement.permanent_document
    if template is not None and not any(d.template_id == template.id for d in documents):
        message = f"needs the completed {template.name} on file"
        found.append(
            Shortfall(f"{base}/permanent_documents", "identity.permanent_documents", message)
        )
    return found


def address_shortfalls(
    requirement: cat.Requirement, address: Address, proofs: Sequence[Proof], base: str
) -> list[Shortfall]:
    """Returns what the address lacks: the right country (and known area), proofs."""
    found: list[Shortfall] = []
    country = requirement.country
    if requirement.address_area_level != "world_wide" and address.country_id != country.id:
        found.append(Shortfall(f"{base}/country", "address.country", f"must be in {country.name}"))
    elif requirement.address_area_level in ("area", "city") and address.area_id is None:
        message = f"must be a city of a numbering area of {country.name}"
        found.append(Shortfall(f"{base}/city_name", "address.city_name", message))
    return found + _proofs(requirement, "Address", proofs, f"{base}/proofs", "address.proofs")


def place_shortfalls(
    requirement: cat.Requirement, address: Address, groups: Sequence[cat.DidGroup], base: str
) -> list[Shortfall]:
    """Returns where the address is not close enough to the numbers' own area or city."""
    level = requirement.address_area_level
    if level not in ("area", "city"):
        return []
    for group in groups:
        if group.city is None:
            continue
        if level == "area" and address.area_id != group.city.area.id:
            message = f"must be in the numbering area {group.city.area.name}"
            return [Shortfall(f"{base}/city_name", "address.city_name", message)]
        if level == "city" and address.city_id != group.city.id:
            return [
                Shortfall(f"{base}/city_name", "address.city_name", f"must be {group.city.name}")
            ]
    return []


def _proofs(
    requirement: cat.Requirement, kind: str, proofs: Sequence[Proof], pointer: str, subject: str
) -> list[Shortfall]:
    wanted = requirement.proof_qty(kind)
    accepted = requirement.proof_types_of(kind)
    ids = {p.id for p in accepted}
    have = sum(1 for p in proofs if p.proof_type_id in ids)
    if have >= wanted:
        return []
    names = ", ".join(p.name for p in accepted)
    message = f"needs {wanted} proof{'s' if wanted > 1 else ''} ({names}), {have} on file"
    return [Shortfall(pointer, subject, message)]
