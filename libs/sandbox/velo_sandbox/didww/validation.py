"""Attribute rules of request documents, checked as DIDWW does: 400 for an attribute it does not
take, 422 `<attribute> - <message>` for a value it refuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from velo_sandbox.didww.errors import bad_request, invalid

_KINDS: dict[str, tuple[str, type | tuple[type, ...]]] = {
    "string": ("a string", str),
    "integer": ("an integer", int),
    "boolean": ("a boolean", bool),
    "integers": ("a list of integers", int),
    "strings": ("a list of strings", str),
}


@dataclass(frozen=True)
class Rule:
    """What one attribute accepts: its JSON type, null or not, listed values, bounds."""

    kind: str
    nullable: bool = False
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


def _is_kind(value: Any, kind: str) -> bool:
    expected = _KINDS[kind][1]
    if kind in ("integers", "strings"):
        return isinstance(value, list) and all(_is_kind(v, kind.removesuffix("s")) for v in value)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def problem(value: Any, rule: Rule) -> str | None:
    """Returns why value breaks rule (DIDWW's wording), or None when it is fine."""
    if value is None:
        return None if rule.nullable else "can't be blank"
    if not _is_kind(value, rule.kind):
        return f"must be {_KINDS[rule.kind][0]}"
    if rule.choices and value not in rule.choices:
        return "is not included in the list"
    if rule.minimum is not None and value < rule.minimum:
        return f"must be greater than or equal to {rule.minimum}"
    if rule.maximum is not None and value > rule.maximum:
        return f"must be less than or equal to {rule.maximum}"
    return None


def check(attributes: Mapping[str, Any], rules: Mapping[str, Rule], prefix: str = "") -> None:
    """Refuses an attribute rules do not name (400) or a value its rule refuses (422); prefix
    places nested attributes (`items/0/`, `configuration/attributes/`)."""
    unknown = sorted(set(attributes) - set(rules))
    if unknown:
        raise bad_request("Param not allowed", f"{prefix}{unknown[0]} is not allowed.", "105")
    for name, value in attributes.items():
        message = problem(value, rules[name])
        if message is not None:
            raise invalid(f"{prefix}{name}", message)
