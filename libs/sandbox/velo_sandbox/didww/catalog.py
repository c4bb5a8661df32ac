"""The sandbox's coverage: countries, places, group types, DID groups, SKUs, KYC rules (with
their proof types and document templates), numbers."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from velo_sandbox.didww import catalog_data as data
from velo_sandbox.didww.ids import stable_id
from velo_sandbox.didww.places import (
    Area,
    City,
    Country,
    NanpaPrefix,
    Places,
    Region,
    build_places,
    nanpa_prefixes,
)

__all__ = ["Area", "City", "Country", "NanpaPrefix", "Region", "stable_id"]
STOCK_PER_GROUP = 30


@dataclass(frozen=True)
class GroupType:
    """A kind of number."""

    id: str
    name: str


@dataclass(frozen=True)
class Sku:
    """A priced offer of a DID group."""

    id: str
    setup_price: Decimal
    monthly_price: Decimal
    channels_included_count: int = 2


@dataclass(frozen=True)
class ProofType:
    """A kind of document accepted as a proof; `entity_type` says what it proves."""

    id: str
    name: str
    entity_type: str


@dataclass(frozen=True)
class Template:
    """A blank form a requirement asks for, kept on file (`permanent`) or sent per verification."""

    id: str
    name: str
    permanent: bool

    @property
    def url(self) -> str:
        """Returns where the blank form is downloaded."""
        return f"https://sandbox.invalid/templates/{self.id}.pdf"


@dataclass(frozen=True)
class Requirement:
    """A KYC rule for numbers of one country and type."""

    id: str
    country: Country
    group_type: GroupType
    identity_type: str
    address_area_level: str
    personal_proof_qty: int
    business_proof_qty: int
    address_proof_qty: int
    mandatory_fields: tuple[str, ...] | None
    restriction_message: str
    proof_types: tuple[ProofType, ...] = ()
    """Every proof type accepted; each side takes those of its `entity_type`."""
    permanent_document: Template | None = None
    onetime_document: Template | None = None
    service_description_required: bool = False

    def accepts(self, identity_type: str) -> bool:
        """Tells whether an identity of identity_type may register these numbers."""
        return self.identity_type in ("any", identity_type)

    def proof_types_of(self, entity_type: str) -> tuple[ProofType, ...]:
        """Returns the proof types accepted for "Personal", "Business" or "Address"."""
        return tuple(p for p in self.proof_types if p.entity_type == entity_type)

    def proof_qty(self, entity_type: str) -> int:
        """Returns how many proofs a "Personal", "Business" or "Address" entity needs."""
        return {
            "Personal": self.personal_proof_qty,
            "Business": self.business_proof_qty,
            "Address": self.address_proof_qty,
        }[entity_type]

    def mandatory_fields_of(self, identity_type: str) -> tuple[str, ...]:
        """Returns the identity fields a personal or business identity must fill in."""
        if not self.accepts(identity_type):
            return ()
        if identity_type == "business":
            return ("company_reg_number",)
        return self.mandatory_fields or ()


@dataclass(frozen=True)
class DidGroup:
    """A block of numbers of one country, type and (for local numbers) city."""

    id: str
    country: Country
    group_type: GroupType
    area_name: str
    prefix: str
    features: tuple[str, ...]
    available_dids_enabled: bool
    skus: tuple[Sku, ...]
    requirement: Requirement | None
    digits: int
    """Digits after the prefix."""
    city: City | None = None
    nanpa_prefixes: tuple[NanpaPrefix, ...] = ()

    @property
    def region(self) -> Region | None:
        """Returns the region of a local group."""
        return self.city.region if self.city else None

    @property
    def is_metered(self) -> bool:
        """Tells whether inbound minutes are billed per minute (toll-free)."""
        return self.group_type.name == "Toll-free"


@dataclass(frozen=True)
class Number:
    """A number of the shared inventory, whoever holds it."""

    id: str
    number: str
    group: DidGroup
    nanpa_prefix: NanpaPrefix | None = None


@dataclass
class Catalog:
    """Everything the sandbox sells, built deterministically from a seed."""

    seed: int
    countries: list[Country]
    places: Places
    group_types: list[GroupType]
    requirements: list[Requirement]
    groups: list[DidGroup]
    proof_types: list[ProofType] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)
    by_id: dict[str, object] = field(default_factory=dict)
    number_by_digits: dict[str, Number] = field(default_factory=dict)
    numbers_by_group: dict[str, list[Number]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        everything: list[object] = [*self.countries, *self.group_types, *self.requirements]
        everything += [*self.proof_types, *self.templates]
        everything += [*self.places.regions, *self.places.areas, *self.places.cities.values()]
        everything += [*self.groups, *self.nanpa_prefixes]
        everything += [sku for g in self.groups for sku in g.skus]
        self.by_id = {item.id: item for item in everything}  # type: ignore[attr-defined]
        self.numbers_by_group = {g.id: [] for g in self.groups}
        numbers, self.numbers = self.numbers, []
        self._add(numbers)

    @property
    def nanpa_prefixes(self) -> list[NanpaPrefix]:
        """Returns every NANPA prefix with local numbers."""
        return [p for g in self.groups for p in g.nanpa_prefixes]

    def number(self, number_id: str) -> Number:
        """Returns the number with number_id (KeyError if there is none)."""
        found = self.by_id[number_id]
        if not isinstance(found, Number):
            raise KeyError(number_id)
        return found

    def group_of(self, ident: object) -> DidGroup | None:
        """Returns the DID group with this id, or the one selling the SKU with this id."""
        found = self.by_id.get(ident) if isinstance(ident, str) else None
        if isinstance(found, Sku):
            return next(g for g in self.groups if found in g.skus)
        return found if isinstance(found, DidGroup) else None

    def restock(self, group: DidGroup, count: int) -> list[Number]:
        """Adds count new numbers to group (the same ones on every start); returns them."""
        total = len(self.numbers_by_group[group.id]) + count
        new = [n for n in _numbers(self.seed, group, total) if n.id not in self.by_id]
        self._add(new)
        return new

    def _add(self, numbers: list[Number]) -> None:
        for number in numbers:
            self.numbers.append(number)
            self.by_id[number.id] = number
            self.number_by_digits[number.number] = number
            self.numbers_by_group[number.group.id].append(number)


def build_catalog(
    seed: int, stock: int = STOCK_PER_GROUP, restocked: Mapping[str, int] | None = None
) -> Catalog:
    """Builds the coverage and its numbers from seed; restocked adds numbers per group id."""
    countries = {
        iso: Country(stable_id("country", iso), iso, name, p) for iso, name, p in data.COUNTRIES
    }
    places = build_places(countries)
    types = {name: GroupType(stable_id("type", name), name) for name in data.GROUP_TYPES}
    proof_types = [ProofType(stable_id("proof_type", n), n, kind) for n, kind in data.PROOF_TYPES]
    templates = {n: Template(stable_id("template", n), n, keep) for n, keep in data.TEMPLATES}
    requirements = {
        key: _requirement(countries[key[0]], types[key[1]], row, proof_types, templates)
        for key, row in data.REQUIREMENTS.items()
    }
    groups = [_group(seed, row, countries, types, requirements, places) for row in data.GROUPS]
    extra = restocked or {}
    numbers = [n for g in groups for n in _numbers(seed, g, stock + extra.get(g.id, 0))]
    return Catalog(
        seed,
        list(countries.values()),
        places,
        list(types.values()),
        list(requirements.values()),
        groups,
        numbers=numbers,
        proof_types=proof_types,
        templates=list(templates.values()),
    )


def _requirement(
    country: Country,
    group_type: GroupType,
    row: tuple,  # type: ignore[type-arg]
    proof_types: list[ProofType],
    templates: dict[str, Template],
) -> Requirement:
    identity, level, personal, business, address, fields, message = row
    rid = stable_id("requirement", country.iso, group_type.name)
    documents = data.REQUIREMENT_DOCUMENTS.get((country.iso, group_type.name), {})
    permanent, onetime = documents.get("permanent"), documents.get("onetime")
    return Requirement(
        rid,
        country,
        group_type,
        identity,
        level,
        personal,
        business,
        address,
        fields,
        message,
        tuple(p for p in proof_types if p.entity_type != "Porting"),
        templates[permanent] if isinstance(permanent, str) else None,
        templates[onetime] if isinstance(onetime, str) else None,
        bool(documents.get("service_description_required", False)),
    )


def _group(
    seed: int,
    row: tuple,  # type: ignore[type-arg]
    countries: dict[str, Country],
    types: dict[str, GroupType],
    requirements: dict[tuple[str, str], Requirement],
    places: Places,
) -> DidGroup:
    iso, type_name, area, national, digits, setup, monthly, features, picking = row
    country, group_type = countries[iso], types[type_name]
    gid = stable_id("group", iso, type_name, national)
    sku = Sku(stable_id("sku", gid), Decimal(setup), Decimal(monthly))
    city = places.cities[(iso, area)] if type_name == "Local" else None
    nanpa = nanpa_prefixes(seed, city, national) if city and country.prefix == "1" else ()
    return DidGroup(
        gid,
        country,
        group_type,
        area,
        country.prefix + national,
        features,
        picking,
        (sku,),
        requirements.get((iso, type_name)),
        digits,
        city,
        nanpa,
    )


def _numbers(seed: int, group: DidGroup, total: int) -> list[Number]:
    """Returns the group's first total numbers; a larger total only adds to a smaller one's."""
    rng = random.Random(f"{seed}:{group.prefix}:{group.group_type.name}")  # noqa: S311
    found: dict[str, NanpaPrefix | None] = {}
    while len(found) < total:
        digits, nanpa = _draw(rng, group)
        found.setdefault(digits, nanpa)
    return [Number(stable_id("number", n), n, group, p) for n, p in sorted(found.items())]


def _draw(rng: random.Random, group: DidGroup) -> tuple[str, NanpaPrefix | None]:
    if group.nanpa_prefixes:
        prefix = rng.choice(group.nanpa_prefixes)
        rest = "".join(str(rng.randint(0, 9)) for _ in range(group.digits - 3))
        return f"{group.prefix}{prefix.nxx}{rest}", prefix
    nanpa = group.country.prefix == "1"
    first = rng.randint(2, 9) if nanpa or group.digits > 5 else rng.randint(1, 9)
    rest = "".join(str(rng.randint(0, 9)) for _ in range(group.digits - 1))
    return f"{group.prefix}{first}{rest}", None
