"""Records of DIDWW's regulation resources: key pairs, staged files (metadata only: the sandbox
never keeps a document's bytes), identities, addresses, proofs, permanent documents and address
verifications. Serializable with the rest of the records."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class KeyPair(BaseModel):
    """One of the two RSA key pairs uploads are encrypted for."""

    id: str
    private_pem: str = Field(description="PKCS#8 PEM of the sandbox's own private key.")


class StagedFile(BaseModel):
    """An encrypted upload, decrypted once to check it: only what it was is kept."""

    id: str
    api_key: str
    description: str | None
    created_at: datetime
    expires_at: datetime
    size: int
    sha256: str
    content_type: str
    attached: bool = Field(default=False, description="Copied onto a proof, document or review.")


class Identity(BaseModel):
    """A person or company numbers are registered to."""

    id: str
    api_key: str
    identity_type: str
    first_name: str
    last_name: str
    phone_number: str
    contact_email: str | None = None
    company_name: str | None = None
    company_reg_number: str | None = None
    vat_id: str | None = None
    id_number: str | None = None
    personal_tax_id: str | None = None
    birth_date: str | None = None
    description: str | None = None
    external_reference_id: str | None = None
    created_at: datetime
    verified: bool = False
    country_id: str | None = None
    birth_country_id: str | None = None


class Address(BaseModel):
    """A postal address of an identity; its city and area are found from `city_name`."""

    id: str
    api_key: str
    identity_id: str
    country_id: str
    address: str
    city_name: str
    postal_code: str
    description: str | None = None
    external_reference_id: str | None = None
    created_at: datetime
    verified: bool = False
    area_id: str | None = None
    city_id: str | None = None


class Proof(BaseModel):
    """Staged files filed as evidence of an identity or an address."""

    id: str
    api_key: str
    proof_type_id: str
    entity_type: str = Field(description='"identities" or "addresses".')
    entity_id: str
    file_ids: list[str]
    created_at: datetime
    expires_at: datetime | None = None
    external_reference_id: str | None = None


class PermanentDocument(BaseModel):
    """A completed permanent template on file against an identity."""

    id: str
    api_key: str
    template_id: str
    identity_id: str
    file_ids: list[str]
    created_at: datetime
    external_reference_id: str | None = None


class AddressVerification(BaseModel):
    """An address submitted for DIDs awaiting registration, and DIDWW's answer."""

    id: str
    api_key: str
    reference: str
    address_id: str
    did_ids: list[str]
    onetime_file_ids: list[str] = []
    status: str = "pending"
    reject_reasons: list[str] | None = None
    reject_comment: str | None = None
    service_description: str | None = None
    callback_url: str | None = None
    callback_method: str | None = None
    external_reference_id: str | None = None
    created_at: datetime
    reviewed_at: datetime | None = None


class RegulationRecords(BaseModel):
    """Everything regulation the sandbox holds, by id."""

    key_pairs: list[KeyPair] = []
    files: dict[str, StagedFile] = {}
    identities: dict[str, Identity] = {}
    addresses: dict[str, Address] = {}
    proofs: dict[str, Proof] = {}
    documents: dict[str, PermanentDocument] = {}
    verifications: dict[str, AddressVerification] = {}
