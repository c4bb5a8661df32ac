"""`DidwwClient`: one async method per DIDWW API v3 endpoint the platform uses."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date
from types import TracebackType
from typing import Any, Literal

import httpx

from velo_didww.errors import RequirementNotMet, ValidationFailed
from velo_didww.jsonapi import flatten, flatten_many, flatten_one, index_included, resource
from velo_didww.models import (
    AddressRequirement,
    Area,
    AvailableDid,
    Balance,
    City,
    Country,
    Did,
    DidGroup,
    DidGroupType,
    DidReservation,
    NanpaPrefix,
    Order,
    Region,
    VoiceInTrunk,
)
from velo_didww.params import Filters, page, query
from velo_didww.ratelimit import Budget, local_budget
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
from velo_didww.requests import DidOrderItem, SipConfiguration
from velo_didww.schedule import DEFAULT_RATE, Priority
from velo_didww.transport import JsonDoc, RetryPolicy, Transport

PRODUCTION_URL = "https://api.didww.com/v3"
SANDBOX_URL = "https://sandbox-api.didww.com/v3"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
DID_GROUP_INCLUDES = (
    "country",
    "city",
    "region",
    "did_group_type",
    "stock_keeping_units",
    "address_requirement",
)
AVAILABLE_DID_INCLUDES = ("nanpa_prefix", *(f"did_group.{name}" for name in DID_GROUP_INCLUDES))
DID_INCLUDES = ("did_group", "order", "voice_in_trunk")
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


class DidwwClient:
    """Async client of one DIDWW account (one API key).

    Idempotent calls (GET, PATCH, DELETE) are retried with backoff on 5xx, timeouts and
    connection errors; every call is retried after a 429, which DIDWW did not process.
    `create_order` is never repeated after a timeout or 5xx, because the order may exist:
    look it up with `list_orders({"external_reference_id": ...})` before ordering again.

    Every request first takes a slot of the key's `budget` at the client's `priority`; without
    a budget the client shares this process's budget of the key (at `rate_limit`; None: none).
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = PRODUCTION_URL,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limit: float | None = DEFAULT_RATE,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        budget: Budget | None = None,
        priority: Priority = Priority.IN_FLIGHT,
    ) -> None:
        if budget is None and rate_limit:
            budget = local_budget(api_key, rate_limit)
        self._transport = Transport(
            api_key, base_url, timeout, retry or RetryPolicy(), budget, http, transport, priority
        )
        self._keys: tuple[float, list[PublicKey]] | None = None

    def __repr__(self) -> str:
        return f"DidwwClient({self._transport!r})"

    async def __aenter__(self) -> DidwwClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the client's connections."""
        await self._transport.aclose()

    async def paginate(
        self, path: str, params: dict[str, str], page_size: int = 50
    ) -> AsyncIterator[dict[str, Any]]:
        """Yields every resource of a paginated collection, flattened, following `links.next`."""
        number = 1
        while True:
            doc = await self._get(path, page(params, number, page_size))
            included = index_included(doc)
            for item in doc["data"]:
                yield flatten(item, included)
            if not (doc.get("links") or {}).get("next"):
                return
            number += 1

    async def list_countries(self, filters: Filters | None = None) -> list[Country]:
        """Lists countries (not paginated by DIDWW)."""
        doc = await self._get("/countries", query(filters))
        return [Country.model_validate(c) for c in flatten_many(doc)]

    async def list_regions(self, filters: Filters | None = None) -> list[Region]:
        """Lists regions, e.g. `{"country.id": ...}` (not paginated by DIDWW)."""
        doc = await self._get("/regions", query(filters, ("country",)))
        return [Region.model_validate(r) for r in flatten_many(doc)]

    async def list_cities(self, filters: Filters | None = None) -> list[City]:
        """Lists cities with their region and area, e.g. `{"area.id": ...}`."""
        params = query(filters, ("region", "area"))
        return [City.model_validate(c) async for c in self.paginate("/cities", params)]

    async def list_areas(self, filters: Filters | None = None) -> list[Area]:
        """Lists numbering areas, e.g. `{"country.id": ...}`."""
        params = query(filters)
        return [Area.model_validate(a) async for a in self.paginate("/areas", params)]

    async def list_nanpa_prefixes(self, filters: Filters | None = None) -> list[NanpaPrefix]:
        """Lists NANPA NPA-NXX prefixes, e.g. `{"npa": "212"}`."""
        params = query(filters, ("region",))
        return [
            NanpaPrefix.model_validate(p) async for p in self.paginate("/nanpa_prefixes", params)
        ]

    async def list_did_group_types(self) -> list[DidGroupType]:
        """Lists the kinds of number: Local, Mobile, Toll-free, ..."""
        return [DidGroupType.model_validate(t) async for t in self.paginate("/did_group_types", {})]

    async def list_did_groups(
        self, filters: Filters | None = None, include: Iterable[str] = DID_GROUP_INCLUDES
    ) -> list[DidGroup]:
        """Lists DID groups with their prices, type, country and KYC requirement."""
        params = query(filters, include)
        return [DidGroup.model_validate(g) async for g in self.paginate("/did_groups", params)]

    async def get_did_group(
        self, group_id: str, include: Iterable[str] = DID_GROUP_INCLUDES
    ) -> DidGroup:
        """Reads one DID group."""
        doc = await self._get(f"/did_groups/{group_id}", query(include=include))
        return DidGroup.model_validate(flatten_one(doc))

    async def list_available_dids(
        self, filters: Filters | None = None, include: Iterable[str] = AVAILABLE_DID_INCLUDES
    ) -> list[AvailableDid]:
        """Lists specific numbers in stock (capped by DIDWW; filter e.g. `number_contains`)."""
        doc = await self._get("/available_dids", query(filters, include))
        return [AvailableDid.model_validate(d) for d in flatten_many(doc)]

    async def get_available_did(
        self, available_did_id: str, include: Iterable[str] = AVAILABLE_DID_INCLUDES
    ) -> AvailableDid:
        """Reads one number in stock, with its group (raises NotFound once it is gone)."""
        doc = await self._get(f"/available_dids/{available_did_id}", query(include=include))
        return AvailableDid.model_validate(flatten_one(doc))

    async def list_address_requirements(
        self, filters: Filters | None = None
    ) -> list[AddressRequirement]:
        """Lists the KYC requirements per country and type."""
        params = query(filters)
        return [
            AddressRequirement.model_validate(r)
            async for r in self.paginate("/address_requirements", params)
        ]

    async def get_balance(self) -> Balance:
        """Reads the account's balance."""
        return Balance.model_validate(flatten_one(await self._get("/balance")))

    async def create_did_reservation(
        self, available_did_id: str, description: str | None = None
    ) -> DidReservation:
        """Holds an available number for 10 minutes."""
        attributes = {"description": description} if description is not None else {}
        body = resource(
            "did_reservations", attributes, {"available_did": ("available_dids", available_did_id)}
        )
        params = query(include=("available_did",))
        doc = await self._send("POST", "/did_reservations", body, params)
        return DidReservation.model_validate(flatten_one(doc))

    async def list_did_reservations(self, filters: Filters | None = None) -> list[DidReservation]:
        """Lists the account's live reservations, e.g. `{"description": request_id}`."""
        params = query(filters, ("available_did",))
        return [
            DidReservation.model_validate(r)
            async for r in self.paginate("/did_reservations", params)
        ]

    async def delete_did_reservation(self, reservation_id: str) -> None:
        """Releases a reservation, returning its number to the pool."""
        await self._transport.request("DELETE", f"/did_reservations/{reservation_id}")

    async def create_order(
        self,
        items: Sequence[DidOrderItem],
        *,
        external_reference_id: str | None = None,
        callback_url: str | None = None,
        callback_method: str = "post",
        allow_back_ordering: bool | None = None,
    ) -> Order:
        """Places an order (charged at once); never retried after a timeout, see the class doc."""
        attributes: dict[str, Any] = {"items": [i.to_jsonapi() for i in items]}
        if external_reference_id is not None:
            attributes["external_reference_id"] = external_reference_id
        if callback_url is not None:
            attributes |= {"callback_url": callback_url, "callback_method": callback_method}
        if allow_back_ordering is not None:
            attributes["allow_back_ordering"] = allow_back_ordering
        doc = await self._send("POST", "/orders", resource("orders", attributes))
        return Order.model_validate(flatten_one(doc))

    async def get_order(self, order_id: str) -> Order:
        """Reads one order."""
        return Order.model_validate(flatten_one(await self._get(f"/orders/{order_id}")))

    async def list_orders(self, filters: Filters | None = None) -> list[Order]:
        """Lists orders, e.g. `{"external_reference_id": request_id}`."""
        return [Order.model_validate(o) async for o in self.paginate("/orders", query(filters))]

    async def cancel_order(self, order_id: str) -> None:
        """Cancels a pending order."""
        await self._transport.request("DELETE", f"/orders/{order_id}")

    async def list_dids(self, filters: Filters | None = None) -> list[Did]:
        """Lists the account's DIDs, e.g. `{"order.id": order.id}`."""
        params = query(filters, DID_INCLUDES)
        return [Did.model_validate(d) async for d in self.paginate("/dids", params)]

    async def get_did(self, did_id: str) -> Did:
        """Reads one DID."""
        doc = await self._get(f"/dids/{did_id}", query(include=DID_INCLUDES))
        return Did.model_validate(flatten_one(doc))

    async def point_did_at_trunk(self, did_id: str, trunk_id: str | None) -> Did:
        """Routes a DID's inbound calls to a voice_in_trunk (None unroutes it)."""
        ref = None if trunk_id is None else ("voice_in_trunks", trunk_id)
        return await self._update_did(did_id, {}, {"voice_in_trunk": ref})

    async def terminate_did(self, did_id: str) -> Did:
        """Releases a DID back to DIDWW; billing stops at once."""
        return await self._update_did(did_id, {"terminated": True}, None)

    async def create_voice_in_trunk(
        self, name: str, configuration: SipConfiguration, **attributes: Any
    ) -> VoiceInTrunk:
        """Creates an inbound SIP trunk; extra attributes e.g. `cli_format="e164"`."""
        attributes |= {"name": name, "configuration": configuration.to_jsonapi()}
        doc = await self._send("POST", "/voice_in_trunks", resource("voice_in_trunks", attributes))
        return VoiceInTrunk.model_validate(flatten_one(doc))

    async def get_voice_in_trunk(self, trunk_id: str) -> VoiceInTrunk:
        """Reads one trunk."""
        return VoiceInTrunk.model_validate(
            flatten_one(await self._get(f"/voice_in_trunks/{trunk_id}"))
        )

    async def list_voice_in_trunks(self, filters: Filters | None = None) -> list[VoiceInTrunk]:
        """Lists the account's trunks, e.g. `{"name": "tenant-1"}`."""
        params = query(filters)
        return [
            VoiceInTrunk.model_validate(t) async for t in self.paginate("/voice_in_trunks", params)
        ]

    async def update_voice_in_trunk(
        self, trunk_id: str, configuration: SipConfiguration | None = None, **attributes: Any
    ) -> VoiceInTrunk:
        """Updates a trunk; a configuration replaces the whole previous one."""
        if configuration is not None:
            attributes["configuration"] = configuration.to_jsonapi()
        body = resource("voice_in_trunks", attributes, id_=trunk_id)
        doc = await self._send("PATCH", f"/voice_in_trunks/{trunk_id}", body)
        return VoiceInTrunk.model_validate(flatten_one(doc))

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

    async def _update_did(
        self, did_id: str, attributes: dict[str, Any], relationships: dict[str, Any] | None
    ) -> Did:
        body = resource("dids", attributes, relationships, id_=did_id)
        doc = await self._send("PATCH", f"/dids/{did_id}", body, query(include=DID_INCLUDES))
        return Did.model_validate(flatten_one(doc))

    async def _get(self, path: str, params: dict[str, str] | None = None) -> JsonDoc:
        return await self._send("GET", path, None, params)

    async def _send(
        self, method: str, path: str, body: JsonDoc | None, params: dict[str, str] | None = None
    ) -> JsonDoc:
        doc = await self._transport.request(method, path, params, body)
        if doc is None:
            raise ValueError(f"DIDWW sent no document for {method} {path}")
        return doc


def _present(**attributes: Any) -> dict[str, Any]:
    """Returns the attributes that were given (None: left out)."""
    return {name: value for name, value in attributes.items() if value is not None}


def _refs(**relationships: tuple[str, str | None]) -> dict[str, Any]:
    """Returns the to-one relationships whose id was given."""
    return {name: ref for name, ref in relationships.items() if ref[1] is not None}


def _many(type_: str, ids: Iterable[str]) -> dict[str, Any]:
    """Returns a to-many relationship object."""
    return {"data": [{"type": type_, "id": ident} for ident in ids]}
