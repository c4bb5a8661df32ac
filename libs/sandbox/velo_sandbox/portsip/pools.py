"""How the PBX checks DID strings: format, pool membership, overlap (written apart from the client).

A pool is parsed into inclusive (low, high, digit-count) spans; numbers of different lengths never
match each other, as in a dial plan.
"""

from __future__ import annotations

import re

Span = tuple[int, int, int]

_SPAN = re.compile(r"^([1-9][0-9]*)(?:-([1-9][0-9]*))?$")


class BadNumbers(ValueError):
    """The text is not a valid DID, DID range or pool."""


def span(text: str) -> Span:
    """Parses one DID or `LOW-HIGH` range; refuses `+`, `0` and `00` prefixes."""
    match = _SPAN.match(text.strip())
    if not match:
        raise BadNumbers(f"'{text}' is not a DID or DID range (digits, no leading +, 0 or 00)")
    low, high = match.group(1), match.group(2) or match.group(1)
    if len(low) != len(high) or int(high) < int(low):
        raise BadNumbers(f"'{text}' is not an ascending range of equal-length numbers")
    return int(low), int(high), len(low)


def spans(pool: str | None) -> list[Span]:
    """Parses a `;`-separated pool."""
    return [span(part) for part in (pool or "").split(";") if part.strip()]


def inside(needle: Span, pool: list[Span]) -> bool:
    """Tells whether every number of needle lies in one span of pool."""
    return any(n == needle[2] and lo <= needle[0] and needle[1] <= hi for lo, hi, n in pool)


def overlap(a: list[Span], b: list[Span]) -> bool:
    """Tells whether the two pools share a number."""
    return any(x[2] == y[2] and x[0] <= y[1] and y[0] <= x[1] for x in a for y in b)
