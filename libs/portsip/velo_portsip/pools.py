"""PortSIP DID pools: `;`-separated numbers and hyphenated ranges, e.g. `"3000;12000-18000"`.

A pool is held as sorted, merged, inclusive ranges of equal-length numbers, so one number can be
added or removed without clobbering the rest (removing a number inside a range splits the range).
Integers are safe here because a DID may not start with 0.
"""

from __future__ import annotations

from dataclasses import dataclass


class InvalidPool(ValueError):
    """Raised when a pool, range or number is not in PortSIP's DID format."""


@dataclass(frozen=True, order=True)
class DidRange:
    """An inclusive range of DIDs of one length; a single number has first == last."""

    first: int
    last: int

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.first <= number <= self.last

    @property
    def width(self) -> int:
        """Returns the number of digits of every DID in the range."""
        return len(str(self.first))


def parse_number(text: str) -> int:
    """Parses one DID, refusing `+`, a leading `0` and anything that is not digits."""
    text = text.strip()
    if not text.isdigit() or not text.isascii():
        raise InvalidPool(f"not a DID (digits only, no '+'): {text!r}")
    if text.startswith("0"):
        raise InvalidPool(f"a DID must not start with 0 or 00: {text!r}")
    return int(text)


def parse_range(text: str) -> DidRange:
    """Parses `N` or `N-M` into a range of equal-length numbers."""
    first_text, sep, last_text = text.partition("-")
    first = parse_number(first_text)
    last = parse_number(last_text) if sep else first
    if last < first or len(str(first)) != len(str(last)):
        raise InvalidPool(f"not a valid DID range: {text!r}")
    return DidRange(first, last)


def _merge(ranges: list[DidRange]) -> tuple[DidRange, ...]:
    merged: list[DidRange] = []
    for current in sorted(ranges):
        previous = merged[-1] if merged else None
        touching = previous is not None and current.first <= previous.last + 1
        if previous is not None and touching and previous.width == current.width:
            merged[-1] = DidRange(previous.first, max(previous.last, current.last))
        else:
            merged.append(current)
    return tuple(merged)


@dataclass(frozen=True)
class DidPool:
    """A normalised DID pool; immutable, every change returns a new pool."""

    ranges: tuple[DidRange, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> DidPool:
        """Parses PortSIP's `did_numbers` text (empty or None is an empty pool)."""
        parts = [part for part in (text or "").replace(",", ";").split(";") if part.strip()]
        return cls(_merge([parse_range(part.strip()) for part in parts]))

    def __str__(self) -> str:
        return ";".join(str(r) for r in self.ranges)

    def __contains__(self, number: object) -> bool:
        value = _as_int(number)
        return value is not None and any(value in r for r in self.ranges)

    def __len__(self) -> int:
        return sum(r.last - r.first + 1 for r in self.ranges)

    def add(self, number: str) -> DidPool:
        """Returns the pool with number added (unchanged if already inside)."""
        value = parse_number(number)
        return DidPool(_merge([*self.ranges, DidRange(value, value)]))

    def remove(self, number: str) -> DidPool:
        """Returns the pool without number, splitting the range that held it."""
        value = parse_number(number)
        kept: list[DidRange] = []
        for r in self.ranges:
            if value not in r:
                kept.append(r)
                continue
            if r.first < value:
                kept.append(DidRange(r.first, value - 1))
            if value < r.last:
                kept.append(DidRange(value + 1, r.last))
        return DidPool(tuple(kept))

    def covers(self, did_numbers: str) -> bool:
        """Tells whether every number of did_numbers (a number or range) lies in the pool."""
        wanted = parse_range(did_numbers)
        return any(wanted.first in r and wanted.last in r for r in self.ranges)


def _as_int(number: object) -> int | None:
    if isinstance(number, int):
        return number
    if isinstance(number, str):
        try:
            return parse_number(number)
        except InvalidPool:
            return None
    return None


def normalise(did_numbers: str | None) -> str:
    """Returns did_numbers sorted and merged, e.g. `"3001;3000"` → `"3000-3001"`."""
    return str(DidPool.parse(did_numbers))


def add_number(did_numbers: str | None, number: str) -> str:
    """Returns did_numbers with number added, keeping every other number and range."""
    return str(DidPool.parse(did_numbers).add(number))


def remove_number(did_numbers: str | None, number: str) -> str:
    """Returns did_numbers without number, keeping every other number and range."""
    return str(DidPool.parse(did_numbers).remove(number))
