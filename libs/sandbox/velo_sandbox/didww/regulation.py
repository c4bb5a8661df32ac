"""The account's regulation records as DIDWW keeps them: key pairs, staged files, identities,
addresses, proofs and permanent documents, each visible to its own account only (404 else)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TypeVar

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.bodies import RELATIONSHIPS
from velo_sandbox.didww.crypto import Unsealed, new_private_pem
from velo_sandbox.didww.errors import invalid, not_found
from velo_sandbox.didww.regulation_records import (
    Address,
    Identity,
    KeyPair,
    PermanentDocument,
    Proof,
    RegulationRecords,
    StagedFile,
)
from velo_sandbox.didww.state import SandboxState, new_id

FILE_TTL = timedelta(hours=24)
KEY_PAIRS = 2
_generated: list[KeyPair] = []
"""Key pairs made by this process, shared by its sandboxes without a saved pair (RSA key
generation is slow; DIDWW has one pair of keys too)."""

Owned = TypeVar("Owned", StagedFile, Identity, Address, Proof, PermanentDocument)


def owned(items: Mapping[str, Owned], api_key: str, ident: str, kind: str) -> Owned:
    """Returns the account's record ident, or raises DIDWW's 404."""
    found = items.get(ident)
    if found is None or found.api_key != api_key:
        raise not_found(kind, ident)
    return found


def linked(items: Mapping[str, Owned], api_key: str, ident: str | None, name: str) -> Owned:
    """Returns the account's record a relationship points at, or raises DIDWW's 422."""
    found = items.get(ident or "")
    if found is None or found.api_key != api_key:
        raise invalid(name, "can't be blank" if ident is None else "is invalid", RELATIONSHIPS)
    return found


class Regulation:
    """Regulation operations on the sandbox's state."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    @property
    def records(self) -> RegulationRecords:
        """Returns the regulation records."""
        return self.state.records.regulation

    def key_pairs(self) -> list[KeyPair]:
        """Returns the two key pairs, made on first use and kept with the records."""
        if not self.records.key_pairs:
            if not _generated:
                _generated.extend(
                    KeyPair(id=new_id(), private_pem=new_private_pem()) for _ in range(KEY_PAIRS)
                )
            self.records.key_pairs = list(_generated)
        return self.records.key_pairs

    def expire_files(self) -> None:
        """Deletes staged files past their expiry that nothing took."""
        now = self.state.clock.now()
        for f in [f for f in self.records.files.values() if f.expires_at <= now and not f.attached]:
            del self.records.files[f.id]

    def files(self, api_key: str) -> list[StagedFile]:
        """Returns the account's live staged files."""
        self.expire_files()
        return [f for f in self.records.files.values() if f.api_key == api_key]

    def stage(
        self, api_key: str, found: Unsealed, content_type: str, description: str | None
    ) -> StagedFile:
        """Records an upload that decrypted: what it was, never its bytes."""
        now = self.state.clock.now()
        staged = StagedFile(
            id=new_id(),
            api_key=api_key,
            description=description,
            created_at=now,
            expires_at=now + FILE_TTL,
            size=found.size,
            sha256=found.sha256,
            content_type=content_type,
        )
        self.records.files[staged.id] = staged
        return staged

    def take_files(self, api_key: str, ids: Sequence[str], name: str) -> list[str]:
        """Attaches live staged files of the account (422 naming the relationship otherwise)."""
        self.expire_files()
        if not ids:
            raise invalid(name, "can't be blank", RELATIONSHIPS)
        taken = [linked(self.records.files, api_key, ident, name) for ident in ids]
        for staged in taken:
            staged.attached = True
        return [f.id for f in taken]

    def country(self, ident: str | None, name: str, required: bool = False) -> str | None:
        """Returns a country id a relationship names, refusing an unknown one with a 422."""
        if ident is None and not required:
            return None
        if not isinstance(self.state.catalog.by_id.get(ident or ""), cat.Country):
            raise invalid(name, "can't be blank" if ident is None else "is invalid", RELATIONSHIPS)
        return ident

    def place(self, country_id: str, city_name: str) -> tuple[str | None, str | None]:
        """Returns the (area id, city id) of a city DIDWW knows by name in the country."""
        for city in self.state.catalog.places.cities.values():
            if (
                city.country.id == country_id
                and city.name.casefold() == city_name.strip().casefold()
            ):
                return city.area.id, city.id
        return None, None

    def delete_identity(self, identity: Identity) -> None:
        """Deletes an identity along with its addresses, proofs and documents."""
        for address in [a for a in self.records.addresses.values() if a.identity_id == identity.id]:
            self.delete_address(address)
        for doc in [d for d in self.records.documents.values() if d.identity_id == identity.id]:
            del self.records.documents[doc.id]
        self._drop_proofs(identity.id)
        del self.records.identities[identity.id]

    def delete_address(self, address: Address) -> None:
        """Deletes an address with its proofs."""
        self._drop_proofs(address.id)
        del self.records.addresses[address.id]

    def _drop_proofs(self, entity_id: str) -> None:
        for proof in [p for p in self.records.proofs.values() if p.entity_id == entity_id]:
            del self.records.proofs[proof.id]

    def proofs_of(self, entity_id: str) -> list[Proof]:
        """Returns the proofs filed for an identity or address."""
        return [p for p in self.records.proofs.values() if p.entity_id == entity_id]

    def documents_of(self, identity_id: str) -> list[PermanentDocument]:
        """Returns the permanent documents of an identity."""
        return [d for d in self.records.documents.values() if d.identity_id == identity_id]
