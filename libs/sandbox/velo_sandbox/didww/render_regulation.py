"""Renders the regulation resources: public keys, staged files, proof types, templates,
identities, addresses, proofs, permanent documents and address verifications."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww import regulation_records as reg
from velo_sandbox.didww.clock import iso
from velo_sandbox.didww.crypto import public_pem
from velo_sandbox.didww.rendered import Rendered
from velo_sandbox.didww.state import SandboxState

IDENTITY_FIELDS = (
    "identity_type",
    "first_name",
    "last_name",
    "phone_number",
    "contact_email",
    "company_name",
    "company_reg_number",
    "vat_id",
    "id_number",
    "personal_tax_id",
    "birth_date",
    "description",
    "external_reference_id",
)
ADDRESS_FIELDS = ("address", "city_name", "postal_code", "description", "external_reference_id")


def _key(k: reg.KeyPair, _: SandboxState) -> Rendered:
    return Rendered("public_keys", k.id, {"key": public_pem(k)})


def _file(f: reg.StagedFile, _: SandboxState) -> Rendered:
    attrs = {"description": f.description, "expires_at": iso(f.expires_at)}
    return Rendered("encrypted_files", f.id, attrs)


def _proof_type(p: cat.ProofType, _: SandboxState) -> Rendered:
    return Rendered("proof_types", p.id, {"name": p.name, "entity_type": p.entity_type})


def _template(t: cat.Template, _: SandboxState) -> Rendered:
    attrs = {"name": t.name, "permanent": t.permanent, "url": t.url}
    return Rendered("supporting_document_templates", t.id, attrs)


def _identity(i: reg.Identity, state: SandboxState) -> Rendered:
    records = state.records.regulation
    attrs: dict[str, Any] = {name: getattr(i, name) for name in IDENTITY_FIELDS}
    attrs |= {"created_at": iso(i.created_at), "verified": i.verified}
    related = {
        "country": state.catalog.by_id.get(i.country_id or ""),
        "birth_country": state.catalog.by_id.get(i.birth_country_id or ""),
        "proofs": [p for p in records.proofs.values() if p.entity_id == i.id],
        "addresses": [a for a in records.addresses.values() if a.identity_id == i.id],
        "permanent_documents": [d for d in records.documents.values() if d.identity_id == i.id],
    }
    return Rendered("identities", i.id, attrs, related)


def _address(a: reg.Address, state: SandboxState) -> Rendered:
    records = state.records.regulation
    attrs: dict[str, Any] = {name: getattr(a, name) for name in ADDRESS_FIELDS}
    attrs |= {"created_at": iso(a.created_at), "verified": a.verified}
    related = {
        "identity": records.identities.get(a.identity_id),
        "country": state.catalog.by_id.get(a.country_id),
        "area": state.catalog.by_id.get(a.area_id or ""),
        "city": state.catalog.by_id.get(a.city_id or ""),
        "proofs": [p for p in records.proofs.values() if p.entity_id == a.id],
    }
    return Rendered("addresses", a.id, attrs, related)


def _proof(p: reg.Proof, state: SandboxState) -> Rendered:
    records = state.records.regulation
    attrs = {
        "created_at": iso(p.created_at),
        "expires_at": iso(p.expires_at) if p.expires_at else None,
        "external_reference_id": p.external_reference_id,
    }
    entities: dict[str, Any] = (
        records.identities if p.entity_type == "identities" else records.addresses
    )
    related = {
        "proof_type": state.catalog.by_id.get(p.proof_type_id),
        "entity": entities.get(p.entity_id),
    }
    return Rendered("proofs", p.id, attrs, related)


def _document(d: reg.PermanentDocument, state: SandboxState) -> Rendered:
    attrs = {"created_at": iso(d.created_at), "external_reference_id": d.external_reference_id}
    related = {
        "template": state.catalog.by_id.get(d.template_id),
        "identity": state.records.regulation.identities.get(d.identity_id),
    }
    return Rendered("permanent_supporting_documents", d.id, attrs, related)


def _verification(v: reg.AddressVerification, state: SandboxState) -> Rendered:
    attrs = {
        "reference": v.reference,
        "status": v.status,
        "reject_reasons": v.reject_reasons,
        "reject_comment": v.reject_comment,
        "service_description": v.service_description,
        "callback_url": v.callback_url,
        "callback_method": v.callback_method,
        "external_reference_id": v.external_reference_id,
        "created_at": iso(v.created_at),
    }
    dids = [state.records.dids[i] for i in v.did_ids if i in state.records.dids]
    related = {"address": state.records.regulation.addresses.get(v.address_id), "dids": dids}
    return Rendered("address_verifications", v.id, attrs, related)


REGULATION_RENDERERS: dict[type, Callable[[Any, SandboxState], Rendered]] = {
    reg.KeyPair: _key,
    reg.StagedFile: _file,
    cat.ProofType: _proof_type,
    cat.Template: _template,
    reg.Identity: _identity,
    reg.Address: _address,
    reg.Proof: _proof,
    reg.PermanentDocument: _document,
    reg.AddressVerification: _verification,
}
REGULATION_TYPES: dict[type, str] = {
    reg.KeyPair: "public_keys",
    reg.StagedFile: "encrypted_files",
    cat.ProofType: "proof_types",
    cat.Template: "supporting_document_templates",
    reg.Identity: "identities",
    reg.Address: "addresses",
    reg.Proof: "proofs",
    reg.PermanentDocument: "permanent_supporting_documents",
    reg.AddressVerification: "address_verifications",
}
