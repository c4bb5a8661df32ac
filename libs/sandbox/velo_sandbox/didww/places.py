"""Regions, numbering areas, cities and NANPA prefixes: where the local numbers are."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from velo_sandbox.didww import places_data as data
from velo_sandbox.didww.ids import stable_id


@dataclass(frozen=True)
class Country:
    """A country with coverage."""

    id: str
    iso: str
    name: str
    prefix: str


@dataclass(frozen=True)
class Region:
    """A region (state, province) of a country."""

    id: str
    country: Country
    iso: str
    name: str


@dataclass(frozen=True)
class Area:
    """A regulatory numbering area of a country."""

    id: str
    country: Country
    name: str


@dataclass(frozen=True)
class City:
    """A city with local numbers, in one region and one numbering area."""

    id: str
    country: Country
    region: Region
    area: Area
    name: str


@dataclass(frozen=True)
class NanpaPrefix:
    """A NANPA NPA-NXX prefix (area code and central office code)."""

    id: str
    country: Country
    region: Region
    npa: str
    nxx: str


@dataclass
class Places:
    """Every region, area and city, built from `places_data`."""

    regions: list[Region] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    cities: dict[tuple[str, str], City] = field(default_factory=dict)
    """(country iso, city name) -> city."""


def build_places(countries: dict[str, Country]) -> Places:
    """Builds the regions, areas and cities of the countries."""
    regions = {
        (iso, code): Region(stable_id("region", iso, code), countries[iso], code, name)
        for iso, rows in data.REGIONS.items()
        for code, name in rows
    }
    areas: dict[tuple[str, str], Area] = {}
    cities = {}
    for (iso, city), (region_code, area_name) in data.CITIES.items():
        key = (iso, area_name)
        area = areas.setdefault(key, Area(stable_id("area", *key), countries[iso], area_name))
        region = regions[(iso, region_code)]
        cities[(iso, city)] = City(stable_id("city", iso, city), countries[iso], region, area, city)
    return Places(list(regions.values()), list(areas.values()), cities)


def nanpa_prefixes(seed: int, city: City, npa: str) -> tuple[NanpaPrefix, ...]:
    """Returns the NPA-NXX prefixes stocked in a NANPA city (NXX: 2-9, then two digits, no N11)."""
    rng = random.Random(f"{seed}:nanpa:{npa}")  # noqa: S311 - inventory, not secrets
    codes: set[str] = set()
    while len(codes) < data.NXX_PER_NPA:
        nxx = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        if not nxx.endswith("11"):
            codes.add(nxx)
    return tuple(
        NanpaPrefix(stable_id("nanpa", npa, nxx), city.country, city.region, npa, nxx)
        for nxx in sorted(codes)
    )
