"""Renders sandbox objects as DIDWW JSON:API resources, with their relationship targets."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww import records as rec
from velo_sandbox.didww.clock import iso
from velo_sandbox.didww.render_regulation import REGULATION_RENDERERS, REGULATION_TYPES
from velo_sandbox.didww.rendered import Related, Rendered
from velo_sandbox.didww.state import SandboxState

__all__ = ["Related", "Rendered", "identify", "render"]


def money(amount: Decimal) -> str:
    """Formats a price with two decimals."""
    return f"{amount:.2f}"


def compact(amount: Decimal) -> str:
    """Formats an order amount as DIDWW does, without trailing zeros ("3.6")."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _country(c: cat.Country, state: SandboxState) -> Rendered:
    regions = [r for r in state.catalog.places.regions if r.country is c]
    attrs = {"name": c.name, "prefix": c.prefix, "iso": c.iso}
    return Rendered("countries", c.id, attrs, {"regions": regions})


def _region(r: cat.Region, _: SandboxState) -> Rendered:
    return Rendered("regions", r.id, {"name": r.name, "iso": r.iso}, {"country": r.country})


def _area(a: cat.Area, _: SandboxState) -> Rendered:
    return Rendered("areas", a.id, {"name": a.name}, {"country": a.country})


def _city(c: cat.City, _: SandboxState) -> Rendered:
    related = {"country": c.country, "region": c.region, "area": c.area}
    return Rendered("cities", c.id, {"name": c.name}, related)


def _nanpa_prefix(p: cat.NanpaPrefix, _: SandboxState) -> Rendered:
    related = {"country": p.country, "region": p.region}
    return Rendered("nanpa_prefixes", p.id, {"npa": p.npa, "nxx": p.nxx}, related)


def _group_type(t: cat.GroupType, _: SandboxState) -> Rendered:
    return Rendered("did_group_types", t.id, {"name": t.name})


def _sku(s: cat.Sku, _: SandboxState) -> Rendered:
    attrs = {
        "setup_price": money(s.setup_price),
        "monthly_price": money(s.monthly_price),
        "channels_included_count": s.channels_included_count,
    }
    return Rendered("stock_keeping_units", s.id, attrs)


def _requirement(r: cat.Requirement, _: SandboxState) -> Rendered:
    personal, business = r.accepts("personal"), r.accepts("business")
    attrs = {
        "identity_type": r.identity_type,
        "personal_area_level": "world_wide" if personal else None,
        "business_area_level": "world_wide" if business else None,
        "address_area_level": r.address_area_level,
        "personal_proof_qty": r.personal_proof_qty,
        "business_proof_qty": r.business_proof_qty,
        "address_proof_qty": r.address_proof_qty,
        "personal_mandatory_fields": list(r.mandatory_fields_of("personal")) or None,
        "business_mandatory_fields": list(r.mandatory_fields_of("business")) or None,
        "service_description_required": r.service_description_required,
        "restriction_message": r.restriction_message,
    }
    related: dict[str, Related] = {"country": r.country, "did_group_type": r.group_type}
    for side, accepted in (("personal", personal), ("business", business)):
        related[f"{side}_permanent_document"] = r.permanent_document if accepted else None
        related[f"{side}_onetime_document"] = r.onetime_document if accepted else None
    for side, kind in (("personal", "Personal"), ("business", "Business"), ("address", "Address")):
        wanted = r.proof_qty(kind) > 0 and (side == "address" or r.accepts(side))
        related[f"{side}_proof_types"] = list(r.proof_types_of(kind)) if wanted else []
    return Rendered("address_requirements", r.id, attrs, related)


def _group(g: cat.DidGroup, state: SandboxState) -> Rendered:
    attrs = {
        "prefix": g.prefix,
        "area_name": g.area_name,
        "features": list(g.features),
        "is_metered": g.is_metered,
        "allow_additional_channels": True,
        "service_restrictions": None,
    }
    stock = state.stock(g.id)
    meta = {
        "available_dids_enabled": g.available_dids_enabled,
        "needs_registration": g.requirement is not None,
        "is_available": stock > 0,
        "total_count": stock,
    }
    related = {
        "country": g.country,
        "city": g.city,
        "did_group_type": g.group_type,
        "region": g.region,
        "stock_keeping_units": list(g.skus),
        "address_requirement": g.requirement,
    }
    return Rendered("did_groups", g.id, attrs, related, meta)


def _number(n: cat.Number, _: SandboxState) -> Rendered:
    related = {"did_group": n.group, "nanpa_prefix": n.nanpa_prefix}
    return Rendered("available_dids", n.id, {"number": n.number}, related)


def _reservation(r: rec.Reservation, state: SandboxState) -> Rendered:
    attrs = {
        "description": r.description,
        "created_at": iso(r.created_at),
        "expires_at": iso(r.expires_at),
    }
    return Rendered(
        "did_reservations", r.id, attrs, {"available_did": state.catalog.by_id[r.number_id]}
    )


def _order_item(line: rec.OrderLine) -> dict[str, Any]:
    sku = {"nrc": compact(line.nrc), "mrc": compact(line.mrc)}
    billed = {
        "billed_from": line.billed_from.date().isoformat() if line.billed_from else None,
        "billed_to": line.billed_to.date().isoformat() if line.billed_to else None,
    }
    attrs = {
        "qty": line.qty,
        **sku,
        "prorated_mrc": False,
        **billed,
        "did_group_id": line.group_id,
        "setup_price": sku["nrc"],
        "monthly_price": sku["mrc"],
    }
    return {"type": "did_order_items", "attributes": attrs}


def _order(o: rec.Order, _: SandboxState) -> Rendered:
    attrs = {
        "reference": o.reference,
        "description": "DID",
        "amount": compact(o.amount),
        "status": o.status,
        "created_at": iso(o.created_at),
        "callback_url": o.callback_url,
        "callback_method": o.callback_method,
        "external_reference_id": o.external_reference_id,
        "items": [_order_item(line) for line in o.lines],
    }
    return Rendered("orders", o.id, attrs)


def _did(d: rec.Did, state: SandboxState) -> Rendered:
    attrs = {
        "number": d.number,
        "description": d.description,
        "blocked": d.blocked,
        "awaiting_registration": d.awaiting_registration,
        "terminated": d.terminated,
        "emergency_enabled": False,
        "capacity_limit": d.capacity_limit,
        "channels_included_count": 2,
        "dedicated_channels_count": 0,
        "billing_cycles_count": d.billing_cycles_count,
        "created_at": iso(d.created_at),
        "expires_at": iso(d.expires_at) if d.expires_at else None,
    }
    related = dict.fromkeys(
        (
            "capacity_pool",
            "shared_capacity_group",
            "voice_in_trunk_group",
            "emergency_calling_service",
            "emergency_verification",
        )
    )
    regulation = state.records.regulation
    verification = regulation.verifications.get(d.address_verification_id or "")
    address = regulation.addresses.get(verification.address_id) if verification else None
    related |= {
        "did_group": state.catalog.by_id[d.group_id],
        "order": state.records.orders.get(d.order_id or ""),
        "voice_in_trunk": state.records.trunks.get(d.trunk_id or ""),
        "address_verification": verification,
        "identity": regulation.identities.get(address.identity_id) if address else None,
    }
    return Rendered("dids", d.id, attrs, related)


def _trunk(t: rec.Trunk, _: SandboxState) -> Rendered:
    attrs = {
        **t.attributes,
        "name": t.name,
        "created_at": iso(t.created_at),
        "configuration": t.configuration,
    }
    return Rendered("voice_in_trunks", t.id, attrs, {"voice_in_trunk_group": None, "pop": None})


def _balance(a: rec.Account, _: SandboxState) -> Rendered:
    attrs = {
        "balance": money(a.balance),
        "credit": money(a.credit),
        "total_balance": money(a.balance + a.credit),
    }
    return Rendered("balances", cat.stable_id("balance", a.api_key), attrs)


RENDERERS: dict[type, Callable[[Any, SandboxState], Rendered]] = {
    cat.Country: _country,
    cat.Region: _region,
    cat.Area: _area,
    cat.City: _city,
    cat.NanpaPrefix: _nanpa_prefix,
    cat.GroupType: _group_type,
    cat.Sku: _sku,
    cat.Requirement: _requirement,
    cat.DidGroup: _group,
    cat.Number: _number,
    rec.Reservation: _reservation,
    rec.Order: _order,
    rec.Did: _did,
    rec.Trunk: _trunk,
    rec.Account: _balance,
    **REGULATION_RENDERERS,
}


TYPES: dict[type, str] = {
    cat.Country: "countries",
    cat.Region: "regions",
    cat.Area: "areas",
    cat.City: "cities",
    cat.NanpaPrefix: "nanpa_prefixes",
    cat.GroupType: "did_group_types",
    cat.Sku: "stock_keeping_units",
    cat.Requirement: "address_requirements",
    cat.DidGroup: "did_groups",
    cat.Number: "available_dids",
    rec.Reservation: "did_reservations",
    rec.Order: "orders",
    rec.Did: "dids",
    rec.Trunk: "voice_in_trunks",
    **REGULATION_TYPES,
}


def identify(obj: Any) -> dict[str, str]:
    """Returns the resource identifier of obj without rendering it."""
    return {"type": TYPES[type(obj)], "id": obj.id}


def render(obj: Any, state: SandboxState) -> Rendered:
    """Renders any sandbox object."""
    return RENDERERS[type(obj)](obj, state)
