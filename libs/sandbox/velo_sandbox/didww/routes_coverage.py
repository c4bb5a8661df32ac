"""`/v3` coverage endpoints: countries, types, DID groups, available DIDs, KYC rules, balance."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import bad_request, not_found
from velo_sandbox.didww.filters import (
    Custom,
    Getter,
    Test,
    apply_filters,
    apply_sort,
    at_least,
    equals,
    has_all,
    values,
)
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import caller, jsonapi

AVAILABLE_DIDS_CAP = 100
REQUIREMENT_INCLUDES = (
    "country",
    "did_group_type",
    "personal_permanent_document",
    "business_permanent_document",
    "personal_onetime_document",
    "business_onetime_document",
    "personal_proof_types",
    "business_proof_types",
    "address_proof_types",
)
GROUP_INCLUDES = (
    "country",
    "city",
    "did_group_type",
    "region",
    "stock_keeping_units",
    "address_requirement",
)
FEATURES = ("voice_in", "voice_out", "t38", "sms_in", "p2p", "a2p", "emergency", "cnam_out")
GROUP_FILTERS = {
    "id": lambda g: g.id,
    "country.id": lambda g: g.country.id,
    "city.id": lambda g: g.city.id if g.city else None,
    "region.id": lambda g: g.region.id if g.region else None,
    "prefix": lambda g: g.prefix,
    "did_group_type.id": lambda g: g.group_type.id,
    "area_name": lambda g: g.area_name,
    "needs_registration": lambda g: g.requirement is not None,
    "available_dids_enabled": lambda g: g.available_dids_enabled,
    "is_metered": lambda g: g.is_metered,
    "allow_additional_channels": lambda g: True,
}
GROUP_CUSTOM: dict[str, Custom] = {
    "features": has_all(lambda g: g.features, FEATURES),
    "nanpa_prefix.id": lambda raw: lambda g: bool(values(raw) & {p.id for p in g.nanpa_prefixes}),
    "nanpa_prefix.npanxx": lambda raw: (
        lambda g: bool(values(raw) & {p.npa + p.nxx for p in g.nanpa_prefixes})
    ),
}
NUMBER_FILTERS = {
    "id": lambda n: n.id,
    "country.id": lambda n: n.group.country.id,
    "city.id": lambda n: n.group.city.id if n.group.city else None,
    "region.id": lambda n: n.group.region.id if n.group.region else None,
    "did_group.id": lambda n: n.group.id,
    "did_group_type.id": lambda n: n.group.group_type.id,
    "did_group.needs_registration": lambda n: n.group.requirement is not None,
    "nanpa_prefix.id": lambda n: n.nanpa_prefix.id if n.nanpa_prefix else None,
}


GROUP_SORTS: dict[str, Getter] = {
    "allow_additional_channels": lambda g: True,
    "area_name": lambda g: g.area_name,
    "country.name": lambda g: g.country.name,
    "did_group_type.name": lambda g: g.group_type.name,
    "is_metered": lambda g: g.is_metered,
    "prefix": lambda g: g.prefix,
    "service_restrictions": lambda g: None,
}
REQUIREMENT_SORTS: dict[str, Getter] = {
    "address_proof_qty": lambda r: r.address_proof_qty,
    "business_proof_qty": lambda r: r.business_proof_qty,
    "personal_proof_qty": lambda r: r.personal_proof_qty,
    "restriction_message": lambda r: r.restriction_message,
    "service_description_required": lambda r: False,
}


async def countries(request: Request) -> Response:
    """Lists countries (not paginated)."""
    sandbox, _ = caller(request)
    fields = {
        "id": lambda c: c.id,
        "iso": lambda c: c.iso,
        "name": lambda c: c.name,
        "prefix": lambda c: c.prefix,
    }
    found = apply_filters(request, sandbox.state.catalog.countries, fields)
    found = apply_sort(request, found, {k: fields[k] for k in ("iso", "name", "prefix")})
    return jsonapi(Composer(request, sandbox.state, ("regions",)).collection(found, paginate=False))


async def did_group_types(request: Request) -> Response:
    """Lists the kinds of number."""
    sandbox, _ = caller(request)
    fields = {"id": lambda t: t.id, "name": lambda t: t.name}
    found = apply_filters(request, sandbox.state.catalog.group_types, fields)
    found = apply_sort(request, found, {"name": fields["name"]})
    return jsonapi(Composer(request, sandbox.state).collection(found))


async def did_groups(request: Request) -> Response:
    """Lists DID groups."""
    sandbox, _ = caller(request)
    state = sandbox.state
    custom = {
        **GROUP_CUSTOM,
        "is_available": equals(lambda g: state.stock(g.id) > 0),
        "meta.total_count_gteq": at_least(lambda g: state.stock(g.id)),
    }
    found = apply_filters(request, state.catalog.groups, GROUP_FILTERS, custom)
    found = apply_sort(request, found, GROUP_SORTS)
    return jsonapi(Composer(request, state, GROUP_INCLUDES).collection(found))


async def did_group(request: Request) -> Response:
    """Reads one DID group."""
    sandbox, _ = caller(request)
    group = _catalog_item(sandbox.state.catalog, request, cat.DidGroup, "did_groups")
    return jsonapi(Composer(request, sandbox.state, GROUP_INCLUDES).single(group))


def _number_contains(raw: str) -> Test:
    if len(raw) < 3 or not raw.isdigit():
        raise bad_request(
            "Invalid filter value", "number_contains must have 3 or more digits", "105"
        )
    return lambda number: raw in number.number


NUMBER_CUSTOM: dict[str, Custom] = {
    "number_contains": _number_contains,
    "did_group.features": has_all(lambda n: n.group.features, FEATURES),
}


async def available_dids(request: Request) -> Response:
    """Lists free numbers of groups that allow picking; capped, with `meta.total_count`."""
    sandbox, _ = caller(request)
    pickable = (n for n in sandbox.state.available_numbers() if n.group.available_dids_enabled)
    found = apply_filters(request, pickable, NUMBER_FILTERS, NUMBER_CUSTOM)
    found = apply_sort(request, found, {"number": lambda n: n.number})
    composer = Composer(request, sandbox.state, ("did_group", "nanpa_prefix"))
    doc = composer.collection(found[:AVAILABLE_DIDS_CAP], paginate=False, total_count=len(found))
    return jsonapi(doc)


async def available_did(request: Request) -> Response:
    """Reads one free number."""
    sandbox, _ = caller(request)
    number = _catalog_item(sandbox.state.catalog, request, cat.Number, "available_dids")
    if not sandbox.state.is_available(number) or not number.group.available_dids_enabled:
        raise not_found("available_dids", number.id)
    return jsonapi(Composer(request, sandbox.state, ("did_group", "nanpa_prefix")).single(number))


async def address_requirements(request: Request) -> Response:
    """Lists the KYC requirements."""
    sandbox, _ = caller(request)
    fields = {
        "id": lambda r: r.id,
        "country.id": lambda r: r.country.id,
        "did_group_type.id": lambda r: r.group_type.id,
    }
    found = apply_filters(request, sandbox.state.catalog.requirements, fields)
    found = apply_sort(request, found, REQUIREMENT_SORTS)
    return jsonapi(Composer(request, sandbox.state, REQUIREMENT_INCLUDES).collection(found))


async def address_requirement(request: Request) -> Response:
    """Reads one KYC requirement."""
    sandbox, _ = caller(request)
    item = _catalog_item(sandbox.state.catalog, request, cat.Requirement, "address_requirements")
    return jsonapi(Composer(request, sandbox.state, REQUIREMENT_INCLUDES).single(item))


async def balance(request: Request) -> Response:
    """Reads the caller's balance."""
    sandbox, api_key = caller(request)
    account = sandbox.state.records.accounts[api_key]
    return jsonapi(Composer(request, sandbox.state).single(account))


def _catalog_item(catalog: cat.Catalog, request: Request, kind: type, name: str) -> Any:
    ident = request.path_params["id"]
    item = catalog.by_id.get(ident)
    if not isinstance(item, kind):
        raise not_found(name, ident)
    return item


ROUTES = [
    resource("/v3/countries", GET=countries),
    resource("/v3/did_group_types", GET=did_group_types),
    resource("/v3/did_groups", GET=did_groups),
    resource("/v3/did_groups/{id}", GET=did_group),
    resource("/v3/available_dids", GET=available_dids),
    resource("/v3/available_dids/{id}", GET=available_did),
    resource("/v3/address_requirements", GET=address_requirements),
    resource("/v3/address_requirements/{id}", GET=address_requirement),
    resource("/v3/balance", GET=balance),
]
