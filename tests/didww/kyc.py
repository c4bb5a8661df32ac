"""Shared steps of the regulation (KYC) tests: documents, an identity and address meeting DE
mobile's requirement, and a DE mobile DID awaiting registration."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from velo_didww import Address, Did, DidOrderItem, DidwwClient, Identity
from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.runtime import Sandbox

PDF = b"%PDF-1.4\n" + b"A passport scan, pretend. " * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def country(sandbox: Sandbox, iso: str) -> cat.Country:
    """Returns the catalog's country with this ISO code."""
    return next(c for c in sandbox.state.catalog.countries if c.iso == iso)


def group(sandbox: Sandbox, area_name: str) -> cat.DidGroup:
    """Returns the DID group with this area name."""
    return next(g for g in sandbox.state.catalog.groups if g.area_name == area_name)


def requirement(sandbox: Sandbox, area_name: str) -> cat.Requirement:
    """Returns the requirement of the DID group with this area name."""
    found = group(sandbox, area_name).requirement
    assert found is not None
    return found


def proof_type(sandbox: Sandbox, name: str) -> str:
    """Returns the id of the proof type with this name."""
    return next(p.id for p in sandbox.state.catalog.proof_types if p.name == name)


@dataclass(frozen=True)
class Applicant:
    """An identity with its address, both meeting DE mobile's requirement."""

    identity: Identity
    address: Address


async def applicant(client: DidwwClient, sandbox: Sandbox, last_name: str = "Doe") -> Applicant:
    """Files a personal identity with birth date, birth country and a passport, and its
    Berlin address."""
    germany = country(sandbox, "DE").id
    identity = await client.create_identity(
        identity_type="personal",
        first_name="Jane",
        last_name=last_name,
        phone_number="4930123456",
        country_id=germany,
        birth_country_id=germany,
        birth_date=date(1980, 1, 2),
    )
    scan = await client.upload_encrypted_file(PDF, description="passport")
    await client.create_proof("identity", identity.id, proof_type(sandbox, "Passport"), [scan.id])
    address = await client.create_address(
        identity.id, germany, address="Unter den Linden 1", city_name="Berlin", postal_code="10117"
    )
    return Applicant(identity, address)


async def awaiting_did(
    client: DidwwClient, sandbox: Sandbox, area_name: str = "Germany Mobile"
) -> Did:
    """Orders one number of a KYC group and returns its DID, awaiting registration."""
    sku = group(sandbox, area_name).skus[0].id
    order = await client.create_order([DidOrderItem(sku_id=sku, qty=1)])
    pending = [o for o in sandbox.state.records.orders.values() if o.id == order.id]
    await sandbox.fulfilment.finish_now(pending[0])
    for _ in range(50):
        dids = await client.list_dids({"order.id": order.id})
        if dids:
            return dids[0]
        await asyncio.sleep(0.01)
    raise AssertionError("the order delivered no DID")
