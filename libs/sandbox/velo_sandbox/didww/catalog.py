"""The sandbox's coverage: countries, group types, DID groups, SKUs, KYC rules and numbers."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from velo_sandbox.didww import catalog_data as data

_NAMESPACE = uuid.UUID("6f1c1f4e-8a53-4c1e-9d0e-5b1d2f0a7c11")
STOCK_PER_GROUP = 30


def stable_id(*parts: str) -> str:
    """Returns a UUID derived from parts, the same on every start."""
    return str(uuid.uuid5(_NAMESPACE, ":".join(parts)))


@dataclass(frozen=True)
class Country:
    """A country with coverage."""

    id: str
    iso: str
    name: str
    prefix: str


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


@dataclass(frozen=True)
class DidGroup:
    """A block of numbers of one country, area and type."""

    id: str
    country: Country
    group_type: GroupType
    area_name: str
    prefix: str
    features: tuple[str, ...]
    available_dids_enabled: bool
    skus: tuple[Sku, ...]
    requirement: Requirement | None

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


@dataclass
class Catalog:
    """Everything the sandbox sells, built deterministically from a seed."""

    countries: list[Country]
    group_types: list[GroupType]
    requirements: list[Requirement]
    groups: list[DidGroup]
    numbers: list[Number]
    by_id: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        everything: list[object] = [*self.countries, *self.group_types, *self.requirements]
        everything += [*self.groups, *self.numbers]
        everything += [sku for g in self.groups for sku in g.skus]
        self.by_id = {item.id: item for item in everything}  # type: ignore[attr-defined]
        self.number_by_digits = {n.number: n for n in self.numbers}
        self.numbers_by_group: dict[str, list[Number]] = {g.id: [] for g in self.groups}
        for number in self.numbers:
            self.numbers_by_group[number.group.id].append(number)

    def number(self, number_id: str) -> Number:
        """Returns the number with number_id (KeyError if there is none)."""
        found = self.by_id[number_id]
        if not isinstance(found, Number):
            raise KeyError(number_id)
        return found


def build_catalog(seed: int, stock: int = STOCK_PER_GROUP) -> Catalog:
    """Builds the coverage and its numbers from seed."""
    countries = {
        iso: Country(stable_id("country", iso), iso, name, p) for iso, name, p in data.COUNTRIES
    }
    types = {name: GroupType(stable_id("type", name), name) for name in data.GROUP_TYPES}
    requirements = {
        key: _requirement(countries[key[0]], types[key[1]], row)
        for key, row in data.REQUIREMENTS.items()
    }
    groups = [_group(row, countries, types, requirements) for row in data.GROUPS]
    numbers = [
        n
        for g, row in zip(groups, data.GROUPS, strict=True)
        for n in _numbers(seed, g, row[4], stock)
    ]
    return Catalog(
        list(countries.values()), list(types.values()), list(requirements.values()), groups, numbers
    )


def _requirement(country: Country, group_type: GroupType, row: tuple) -> Requirement:  # type: ignore[type-arg]
    identity, level, personal, business, address, fields, message = row
    rid = stable_id("requirement", country.iso, group_type.name)
    return Requirement(
        rid, country, group_type, identity, level, personal, business, address, fields, message
    )


def _group(row: tuple, countries: dict, types: dict, requirements: dict) -> DidGroup:  # type: ignore[type-arg]
    iso, type_name, area, national, _digits, setup, monthly, features, picking = row
    country, group_type = countries[iso], types[type_name]
    gid = stable_id("group", iso, type_name, national)
    sku = Sku(stable_id("sku", gid), Decimal(setup), Decimal(monthly))
    requirement = requirements.get((iso, type_name))
    return DidGroup(
        gid,
        country,
        group_type,
        area,
        country.prefix + national,
        features,
        picking,
        (sku,),
        requirement,
    )


def _numbers(seed: int, group: DidGroup, digits: int, stock: int) -> list[Number]:
    rng = random.Random(f"{seed}:{group.prefix}:{group.group_type.name}")  # noqa: S311
    nanpa = group.country.prefix == "1"
    found: set[str] = set()
    while len(found) < stock:
        first = rng.randint(2, 9) if nanpa or digits > 5 else rng.randint(1, 9)
        rest = "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
        found.add(f"{group.prefix}{first}{rest}")
    return [Number(stable_id("number", n), n, group) for n in sorted(found)]
