"""The client's calls of DIDWW's Regulation and Address verifications endpoints."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Literal

from velo_didww.calls import ApiCalls
from velo_didww.errors import RequirementNotMet, ValidationFailed
from velo_didww.jsonapi import flatten_many, flatten_one, resource
from velo_didww.models import AddressRequirement
from velo_didww.params import Filters, query
from velo_didww.regulation import (
    Address,
    AddressVerification,
    EncryptedFile,
    Identity,
    PermanentSupportingDocument,
    Proof,
    ProofType,
    PublicKey,
    SupportingDocumentTemplate,
    encrypt_for_upload,
)

REQUIREMENT_INCLUDES = (
    "country",
    "did_group_type",
    "personal_proof_types",
    "business_proof_types",
    "address_proof_types",
    "personal_permanent_document",
    "business_permanent_document",
    "personal_onetime_document",
    "business_onetime_document",
)
IDENTITY_INCLUDES = ("country", "birth_country")
ADDRESS_INCLUDES = ("identity", "country", "area", "city")
PROOF_INCLUDES = ("proof_type", "entity")
DOCUMENT_INCLUDES = ("template", "identity")
VERIFICATION_INCLUDES = ("address", "dids")
PUBLIC_KEYS_TTL = 3600.0
"""Seconds the client reuses DIDWW's public keys before reading them again."""
UPLOAD_FIELD = "encrypted_files[items][][file]"
ENTITY_TYPES = {"identity": "identities", "address": "addresses"}


class RegulationCalls(ApiCalls):
    """KYC: public keys, encrypted uploads, identities, addresses, proofs, permanent documents,
    requirement dry runs and address verifications."""

    _keys: tuple[float, list[PublicKey]] | None = None

    async def get_address_requirement(
        self, requirement_id: str, include: Iterable[str] = REQUIREMENT_INCLUDES
    ) -> AddressRequirement:
        """Reads one KYC requirement with its proof types and document templates."""
        doc = await self._get(f"/address_requirements/{requirement_id}", query(include=include))
        return AddressRequirement.model_validate(flatten_one(doc))

    async def list_proof_types(self, filters: Filters | None = None) -> list[ProofType]:
        """Lists the kinds of document DIDWW accepts as proofs (not paginated by DIDWW)."""
        doc = await self._get("/proof_types", query(filters))
        return [ProofType.model_validate(p) for p in flatten_many(doc)]

    async def list_supporting_document_templates(
        self, filters: Filters | None = None
    ) -> list[SupportingDocumentTemplate]:
        """Lists the blank forms requirements ask for."""
        params = query(filters)
        return [
            SupportingDocumentTemplate.model_validate(t)
            async for t in self.paginate("/supporting_document_templates", params)
        ]

    async def list_public_keys(self) -> list[PublicKey]:
        """Lists DIDWW's two RSA public keys, in the order uploads are encrypted under them."""
        doc = await self._get("/public_keys")
        return [PublicKey.model_validate(k) for k in flatten_many(doc)]

    async def upload_encrypted_file(
        self, content: bytes, *, description: str | None = None
    ) -> EncryptedFile:
        """Encrypts content under DIDWW's public keys (read once an hour) and stages it.

        Safe to repeat (it only stages a file), so retried like a read; a refusal naming the
        fingerprint (DIDWW changed its keys) reads the keys again and uploads once more.
        """
        try:
            return await self._upload(content, description, await self._public_keys())
        except ValidationFailed as exc:
            if "encryption_fingerprint" not in f"{exc.pointer} {exc.detail}":
                raise
        return await self._upload(content, description, await self._public_keys(fresh=True))

    async def _public_keys(self, fresh: bool = False) -> list[PublicKey]:
        now = time.monotonic()
        if fresh or self._keys is None or now - self._keys[0] > PUBLIC_KEYS_TTL:
            self._keys = (now, await self.list_public_keys())
        return self._keys[1]

    async def _upload(
        self, content: bytes, description: str | None, keys: list[PublicKey]
    ) -> EncryptedFile:
        body, fingerprint = encrypt_for_upload(content, keys)
        fields = {
            "encrypted_files[encryption_fingerprint]": fingerprint,
            "encrypted_files[items][][description]": description or "",
        }
        files = {UPLOAD_FIELD: ("document.enc", body, "application/octet-stream")}
        doc = await self._transport.upload("/encrypted_files", fields, files)
        if doc is None:
            raise ValueError("DIDWW sent no document for POST /encrypted_files")
        return EncryptedFile.model_validate(flatten_one(doc))

    async def get_encrypted_file(self, file_id: str) -> EncryptedFile:
        """Reads one staged file."""
        return EncryptedFile.model_validate(
            flatten_one(await self._get(f"/encrypted_files/{file_id}"))
        )

    async def list_encrypted_files(self, filters: Filters | None = None) -> list[EncryptedFile]:
        """Lists the files staged and not yet expired."""
        params = query(filters)
        return [
            EncryptedFile.model_validate(f) async for f in self.paginate("/encrypted_files", params)
        ]

    async def delete_encrypted_file(self, file_id: str) -> None:
        """Deletes a staged file before it expires."""
        await self._transport.request("DELETE", f"/encrypted_files/{file_id}")

    async def create_identity(
        self,
        *,
        identity_type: Literal["personal", "business"],
        first_name: str,
        last_name: str,
        phone_number: str,
        country_id: str | None = None,
        birth_country_id: str | None = None,
        contact_email: str | None = None,
        company_name: str | None = None,
        company_reg_number: str | None = None,
        vat_id: str | None = None,
        id_number: str | None = None,
        personal_tax_id: str | None = None,
        birth_date: date | None = None,
        description: str | None = None,
        external_reference_id: str | None = None,
    ) -> Identity:
        """Registers a person or company; which optional fields are due depends on the
        requirement (check with `validate_address_requirement`)."""
        attributes = _present(
            identity_type=identity_type,
            first_name=first_name,
            last_name=last_name,
            phone_number=phone_number,
            contact_email=contact_email,
            company_name=company_name,
            company_reg_number=company_reg_number,
            vat_id=vat_id,
            id_number=id_number,
            personal_tax_id=personal_tax_id,
            birth_date=birth_date.isoformat() if birth_date else None,
            description=description,
            external_reference_id=external_reference_id,
        )
        relationships = _refs(country=("countries", country_id))
        relationships |= _refs(birth_country=("countries", birth_country_id))
        body = resource("identities", attributes, relationships)
        doc = await self._send("POST", "/identities", body, query(include=IDENTITY_INCLUDES))
        return Identity.model_validate(flatten_one(doc))

    async def update_identity(
        self,
        identity_id: str,
        *,
        country_id: str | None = None,
        birth_country_id: str | None = None,
        **attributes: Any,
    ) -> Identity:
        """Changes attributes (named as DIDWW's, dates as ISO strings) and countries of an
        identity; never its `identity_type`."""
        relationships = _refs(
            country=("countries", country_id), birth_country=("countries", birth_country_id)
        )
        body = resource("identities", attributes, relationships, id_=identity_id)
        path = f"/identities/{identity_id}"
        doc = await self._send("PATCH", path, body, query(include=IDENTITY_INCLUDES))
        return Identity.model_validate(flatten_one(doc))

    async def get_identity(self, identity_id: str) -> Identity:
        """Reads one identity."""
        doc = await self._get(f"/identities/{identity_id}", query(include=IDENTITY_INCLUDES))
        return Identity.model_validate(flatten_one(doc))

    async def list_identities(self, filters: Filters | None = None) -> list[Identity]:
        """Lists identities, e.g. `{"external_reference_id": ...}`."""
        params = query(filters, IDENTITY_INCLUDES)
        return [Identity.model_validate(i) async for i in self.paginate("/identities", params)]

    async def delete_identity(self, identity_id: str) -> None:
        """Deletes an identity with its addresses and documents."""
        await self._transport.request("DELETE", f"/identities/{identity_id}")

    async def create_address(
        self,
        identity_id: str,
        country_id: str,
        *,
        address: str,
        city_name: str,
        postal_code: str,
        description: str | None = None,
        external_reference_id: str | None = None,
    ) -> Address:
        """Adds a postal address to an identity."""
        attributes = _present(
            address=address,
            city_name=city_name,
            postal_code=postal_code,
            description=description,
            external_reference_id=external_reference_id,
        )
        relationships = {
            "identity": ("identities", identity_id),
            "country": ("countries", country_id),
        }
        body = resource("addresses", attributes, relationships)
        doc = await self._send("POST", "/addresses", body, query(include=ADDRESS_INCLUDES))
        return Address.model_validate(flatten_one(doc))

    async def update_address(self, address_id: str, **attributes: Any) -> Address:
        """Changes attributes of an address (not its identity or country)."""
        body = resource("addresses", attributes, id_=address_id)
        path = f"/addresses/{address_id}"
        doc = await self._send("PATCH", path, body, query(include=ADDRESS_INCLUDES))
        return Address.model_validate(flatten_one(doc))

    async def get_address(self, address_id: str) -> Address:
        """Reads one address."""
        doc = await self._get(f"/addresses/{address_id}", query(include=ADDRESS_INCLUDES))
        return Address.model_validate(flatten_one(doc))

    async def list_addresses(self, filters: Filters | None = None) -> list[Address]:
        """Lists addresses, e.g. `{"identity.id": ...}`."""
        params = query(filters, ADDRESS_INCLUDES)
        return [Address.model_validate(a) async for a in self.paginate("/addresses", params)]

    async def delete_address(self, address_id: str) -> None:
        """Deletes an address."""
        await self._transport.request("DELETE", f"/addresses/{address_id}")

    async def create_proof(
        self,
        entity_type: Literal["identity", "address"],
        entity_id: str,
        proof_type_id: str,
        file_ids: Sequence[str],
        *,
        external_reference_id: str | None = None,
    ) -> Proof:
        """Files staged documents as a proof of an identity or an address."""
        attributes = _present(external_reference_id=external_reference_id)
        relationships = {
            "proof_type": ("proof_types", proof_type_id),
            "entity": (ENTITY_TYPES[entity_type], entity_id),
        }
        body = resource("proofs", attributes, relationships)
        body["data"]["relationships"]["files"] = _many("encrypted_files", file_ids)
        doc = await self._send("POST", "/proofs", body, query(include=PROOF_INCLUDES))
        return Proof.model_validate(flatten_one(doc))

    async def get_proof(self, proof_id: str) -> Proof:
        """Reads one proof (never its files)."""
        doc = await self._get(f"/proofs/{proof_id}", query(include=PROOF_INCLUDES))
        return Proof.model_validate(flatten_one(doc))

    async def list_proofs(self, filters: Filters | None = None) -> list[Proof]:
        """Lists proofs."""
        params = query(filters, PROOF_INCLUDES)
        return [Proof.model_validate(p) async for p in self.paginate("/proofs", params)]

    async def delete_proof(self, proof_id: str) -> None:
        """Deletes a proof (to replace its document, delete it and create another)."""
        await self._transport.request("DELETE", f"/proofs/{proof_id}")

    async def create_permanent_supporting_document(
        self,
        identity_id: str,
        template_id: str,
        file_ids: Sequence[str],
        *,
        external_reference_id: str | None = None,
    ) -> PermanentSupportingDocument:
        """Files a completed permanent template against an identity."""
        attributes = _present(external_reference_id=external_reference_id)
        relationships = {
            "template": ("supporting_document_templates", template_id),
            "identity": ("identities", identity_id),
        }
        body = resource("permanent_supporting_documents", attributes, relationships)
        body["data"]["relationships"]["files"] = _many("encrypted_files", file_ids)
        params = query(include=DOCUMENT_INCLUDES)
        doc = await self._send("POST", "/permanent_supporting_documents", body, params)
        return PermanentSupportingDocument.model_validate(flatten_one(doc))

    async def list_permanent_supporting_documents(
        self, filters: Filters | None = None
    ) -> list[PermanentSupportingDocument]:
        """Lists the permanent documents on file."""
        params = query(filters, DOCUMENT_INCLUDES)
        return [
            PermanentSupportingDocument.model_validate(d)
            async for d in self.paginate("/permanent_supporting_documents", params)
        ]

    async def validate_address_requirement(
        self, requirement_id: str, *, identity_id: str | None = None, address_id: str | None = None
    ) -> None:
        """Dry-runs a requirement against an identity and/or address; returns when they satisfy
        it, raises RequirementNotMet listing every missing field and proof otherwise."""
        relationships = _refs(
            address_requirement=("address_requirements", requirement_id),
            identity=("identities", identity_id),
            address=("addresses", address_id),
        )
        body = resource("address_requirement_validations", {}, relationships)
        try:
            await self._send("POST", "/address_requirement_validations", body)
        except ValidationFailed as exc:
            raise RequirementNotMet(str(exc), exc.status, exc.errors) from None

    async def create_address_verification(
        self,
        address_id: str,
        did_ids: Sequence[str],
        *,
        callback_url: str | None = None,
        callback_method: Literal["get", "post"] = "post",
        onetime_file_ids: Sequence[str] = (),
        service_description: str | None = None,
        external_reference_id: str | None = None,
    ) -> AddressVerification:
        """Submits an address for DIDs awaiting registration; `pending` until DIDWW reviews it.

        Raises RequirementNotMet (a ValidationFailed) naming what DIDWW refused.
        """
        attributes = _present(
            service_description=service_description, external_reference_id=external_reference_id
        )
        if callback_url is not None:
            attributes |= {"callback_url": callback_url, "callback_method": callback_method}
        body = resource("address_verifications", attributes, {"address": ("addresses", address_id)})
        body["data"]["relationships"]["dids"] = _many("dids", did_ids)
        if onetime_file_ids:
            body["data"]["relationships"]["onetime_files"] = _many(
                "encrypted_files", onetime_file_ids
            )
        params = query(include=VERIFICATION_INCLUDES)
        try:
            doc = await self._send("POST", "/address_verifications", body, params)
        except ValidationFailed as exc:
            raise RequirementNotMet(str(exc), exc.status, exc.errors) from None
        return AddressVerification.model_validate(flatten_one(doc))

    async def get_address_verification(self, verification_id: str) -> AddressVerification:
        """Reads one verification: its status, and reasons once rejected."""
        path = f"/address_verifications/{verification_id}"
        doc = await self._get(path, query(include=VERIFICATION_INCLUDES))
        return AddressVerification.model_validate(flatten_one(doc))

    async def list_address_verifications(
        self, filters: Filters | None = None
    ) -> list[AddressVerification]:
        """Lists verifications, e.g. `{"status": "pending"}` or `{"address.id": ...}`."""
        params = query(filters, VERIFICATION_INCLUDES)
        return [
            AddressVerification.model_validate(v)
            async for v in self.paginate("/address_verifications", params)
        ]


def _present(**attributes: Any) -> dict[str, Any]:
    """Returns the attributes that were given (None: left out)."""
    return {name: value for name, value in attributes.items() if value is not None}


def _refs(**relationships: tuple[str, str | None]) -> dict[str, Any]:
    """Returns the to-one relationships whose id was given."""
    return {name: ref for name, ref in relationships.items() if ref[1] is not None}


def _many(type_: str, ids: Iterable[str]) -> dict[str, Any]:
    """Returns a to-many relationship object."""
    return {"data": [{"type": type_, "id": ident} for ident in ids]}
