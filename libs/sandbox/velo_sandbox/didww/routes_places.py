"""`/v3` places: regions, cities, areas and NANPA prefixes, with DIDWW's filters and includes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww import catalog as cat
from velo_sandbox.didww.documents import Composer
from velo_sandbox.didww.errors import not_found
from velo_sandbox.didww.filters import (
    Custom,
    Getter,
    apply_filters,
    apply_sort,
    equals,
    has_all,
)
from velo_sandbox.didww.routes_coverage import FEATURES
from velo_sandbox.didww.routing import Handler, resource
from velo_sandbox.didww.runtime import caller, jsonapi
from velo_sandbox.didww.state import SandboxState

REGION_FILTERS: dict[str, Getter] = {
    "id": lambda r: r.id,
    "country.id": lambda r: r.country.id,
    "iso": lambda r: r.iso,
    "name": lambda r: r.name,
}
CITY_FILTERS: dict[str, Getter] = {
    "id": lambda c: c.id,
    "country.id": lambda c: c.country.id,
    "region.id": lambda c: c.region.id,
    "area.id": lambda c: c.area.id,
    "name": lambda c: c.name,
}
AREA_FILTERS: dict[str, Getter] = {
    "id": lambda a: a.id,
    "country.id": lambda a: a.country.id,
    "name": lambda a: a.name,
}
NANPA_FILTERS: dict[str, Getter] = {
    "id": lambda p: p.id,
    "country.id": lambda p: p.country.id,
    "region.id": lambda p: p.region.id,
    "npa": lambda p: p.npa,
    "nxx": lambda p: p.nxx,
    "npanxx": lambda p: p.npa + p.nxx,
}


def _in_stock(state: SandboxState) -> dict[str, bool]:
    """Tells, per city and per NANPA prefix id, whether a group there has numbers in stock."""
    found: dict[str, bool] = {}
    for group in state.catalog.groups:
        stocked = state.stock(group.id) > 0
        for place in (group.city, *group.nanpa_prefixes):
            if place is not None:
                found[place.id] = found.get(place.id, False) or stocked
    return found


def _groups_of(state: SandboxState) -> dict[str, list[cat.DidGroup]]:
    by_prefix: dict[str, list[cat.DidGroup]] = {}
    for group in state.catalog.groups:
        for prefix in group.nanpa_prefixes:
            by_prefix.setdefault(prefix.id, []).append(group)
    return by_prefix


def _city_custom(state: SandboxState) -> dict[str, Custom]:
    in_stock = _in_stock(state)
    return {"is_available": equals(lambda c: in_stock.get(c.id, False))}


def _nanpa_custom(state: SandboxState) -> dict[str, Custom]:
    groups, in_stock = _groups_of(state), _in_stock(state)
    features = has_all(lambda p: {f for g in groups[p.id] for f in g.features}, FEATURES)
    return {
        "did_group.features": features,
        "did_group.is_available": equals(lambda p: in_stock.get(p.id, False)),
    }


def _no_custom(_: SandboxState) -> dict[str, Custom]:
    return {}


@dataclass(frozen=True)
class Kind:
    """One kind of place: where its items come from, how they filter, what they include."""

    name: str
    items: Callable[[SandboxState], list[Any]]
    fields: dict[str, Getter]
    includes: tuple[str, ...]
    sorts: dict[str, Getter]
    paginate: bool = True
    custom: Callable[[SandboxState], dict[str, Custom]] = _no_custom


def _lister(kind: Kind) -> Handler:
    async def list_places(request: Request) -> Response:
        sandbox, _ = caller(request)
        state = sandbox.state
        found = apply_filters(request, kind.items(state), kind.fields, kind.custom(state))
        found = apply_sort(request, found, kind.sorts)
        composer = Composer(request, state, kind.includes)
        return jsonapi(composer.collection(found, paginate=kind.paginate))

    return list_places


def _reader(kind: Kind) -> Handler:
    async def read_place(request: Request) -> Response:
        sandbox, _ = caller(request)
        ident = request.path_params["id"]
        item = next((i for i in kind.items(sandbox.state) if i.id == ident), None)
        if item is None:
            raise not_found(kind.name, ident)
        return jsonapi(Composer(request, sandbox.state, kind.includes).single(item))

    return read_place


KINDS = [
    Kind(
        "regions",
        lambda s: s.catalog.places.regions,
        REGION_FILTERS,
        ("country",),
        sorts={k: REGION_FILTERS[k] for k in ("iso", "name")},
        paginate=False,
    ),
    Kind(
        "cities",
        lambda s: list(s.catalog.places.cities.values()),
        CITY_FILTERS,
        ("country", "region", "area"),
        sorts={"name": CITY_FILTERS["name"]},
        custom=_city_custom,
    ),
    Kind(
        "areas",
        lambda s: s.catalog.places.areas,
        AREA_FILTERS,
        ("country",),
        sorts={"name": AREA_FILTERS["name"]},
    ),
    Kind(
        "nanpa_prefixes",
        lambda s: s.catalog.nanpa_prefixes,
        NANPA_FILTERS,
        ("country", "region"),
        sorts={k: NANPA_FILTERS[k] for k in ("npa", "nxx")},
        custom=_nanpa_custom,
    ),
]
ROUTES = [
    route
    for kind in KINDS
    for route in (
        resource(f"/v3/{kind.name}", GET=_lister(kind)),
        resource(f"/v3/{kind.name}/{{id}}", GET=_reader(kind)),
    )
]
