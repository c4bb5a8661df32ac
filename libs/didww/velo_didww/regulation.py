"""Regulation (KYC) resources of DIDWW: keys, staged files, identities, addresses, proofs,
supporting documents and address verifications, with the upload encryption."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AliasChoices, Field

from velo_didww.encryption import encrypt_for_upload, fingerprint
from velo_didww.models import DidwwModel, ProofType, SupportingDocumentTemplate

__all__ = [
    "Address",
    "AddressVerification",
    "EncryptedFile",
    "Identity",
    "PermanentSupportingDocument",
    "Proof",
    "ProofType",
    "PublicKey",
    "SupportingDocumentTemplate",
    "encrypt_for_upload",
    "fingerprint",
]

IdentityType = Literal["personal", "business"]
VerificationStatus = Literal["pending", "approved", "rejected"]


class PublicKey(DidwwModel):
    """One of DIDWW's two RSA keys that regulation documents are encrypted with."""

    id: str
    key: str = Field(description="PEM-encoded RSA public key.")


class EncryptedFile(DidwwModel):
    """A document staged at DIDWW, encrypted; deleted at `expires_at` unless attached."""

    id: str
    description: str | None = None
    expires_at: datetime


class Identity(DidwwModel):
    """The person or company a regulated number is registered to."""

    id: str
    identity_type: IdentityType
    first_name: str
    last_name: str
    phone_number: str
    contact_email: str | None = None
    company_name: str | None = None
    company_reg_number: str | None = None
    vat_id: str | None = None
    id_number: str | None = None
    personal_tax_id: str | None = None
    birth_date: date | None = None
    description: str | None = None
    external_reference_id: str | None = None
    created_at: datetime
    verified: bool
    country_id: str | None = None
    birth_country_id: str | None = None


class Address(DidwwModel):
    """A postal address of an identity, used to register regulated numbers."""

    id: str
    address: str
    city_name: str
    postal_code: str
    description: str | None = None
    external_reference_id: str | None = None
    created_at: datetime
    verified: bool
    identity_id: str | None = None
    country_id: str | None = None
    area_id: str | None = None
    city_id: str | None = None


class Proof(DidwwModel):
    """A document on file proving an identity or an address (its files are never returned)."""

    id: str
    created_at: datetime
    expires_at: datetime | None = None
    external_reference_id: str | None = None
    proof_type_id: str | None = None
    entity_id: str | None = Field(default=None, description="The identity or address proved.")


class PermanentSupportingDocument(DidwwModel):
    """A completed template kept on file against an identity."""

    id: str
    created_at: datetime
    external_reference_id: str | None = None
    template_id: str | None = None
    identity_id: str | None = None


class AddressVerification(DidwwModel):
    """A submission asking DIDWW to approve an address for DIDs: `pending` until reviewed."""

    id: str
    reference: str
    status: VerificationStatus
    reject_reasons: list[str] | None = None
    reject_comment: str | None = None
    service_description: str | None = None
    callback_url: str | None = None
    callback_method: str | None = None
    external_reference_id: str | None = None
    created_at: datetime
    address_id: str | None = None
    did_ids: list[str] = Field(default=[], validation_alias=AliasChoices("did_ids", "dids_ids"))
