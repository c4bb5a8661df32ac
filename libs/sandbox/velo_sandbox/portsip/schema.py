"""Request bodies checked as PortSIP's OpenAPI describes them, refused with `VALIDATE_FAILED`.

A body is declared as the JSON Schema subset PortSIP's description uses (type, enum, bounds,
lengths, pattern, properties, required, items, integer formats), built with the helpers below.

Unknown fields: PortSIP's description never states `additionalProperties`, so JSON Schema would let
any extra field through, and a real PBX drops what it does not know without a word — a client's typo
(`outbound_caller_ids` misspelt) would then be lost silently. The sandbox refuses every field its
declaration does not name, naming the field. This is the one place it is stricter than the schema.
"""

from __future__ import annotations

import re
from typing import Any

from velo_sandbox.portsip.errors import invalid

Schema = dict[str, Any]

_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1), "int64": (-(2**63), 2**63 - 1)}
_KINDS = {
    "string": (str, "a string"),
    "integer": (int, "an integer"),
    "boolean": (bool, "true or false"),
    "object": (dict, "an object"),
    "array": (list, "an array"),
}

BOOL: Schema = {"type": "boolean"}
BODY_REQUIRED = "x-body-required"
"""Marks a declaration whose request body may not be left out (`requestBody.required`)."""


def text(
    *, min_length: int | None = None, max_length: int | None = None, pattern: str | None = None
) -> Schema:
    """Declares a string."""
    limits = {"minLength": min_length, "maxLength": max_length, "pattern": pattern}
    return {"type": "string", **{k: v for k, v in limits.items() if v is not None}}


TEXT = text()


def integer(
    *, minimum: int | None = None, maximum: int | None = None, fmt: str | None = "int32"
) -> Schema:
    """Declares an integer (int32 unless said otherwise; fmt None: any size)."""
    limits = {"format": fmt, "minimum": minimum, "maximum": maximum}
    return {"type": "integer", **{k: v for k, v in limits.items() if v is not None}}


def choice(*values: str) -> Schema:
    """Declares a string that must be one of values."""
    return {"type": "string", "enum": list(values)}


def array(items: Schema) -> Schema:
    """Declares an array of items."""
    return {"type": "array", "items": items}


def obj(**properties: Schema) -> Schema:
    """Declares an object with exactly these properties, none required."""
    return {"type": "object", "properties": properties}


def requiring(schema: Schema, *names: str) -> Schema:
    """Declares schema with the named properties required."""
    return {**schema, "required": list(names)}


def merged(*schemas: Schema) -> Schema:
    """Declares an object with the properties of every schema."""
    return obj(**{k: v for s in schemas for k, v in s["properties"].items()})


def sent(schema: Schema) -> Schema:
    """Declares that the request must carry a body (an empty request is refused)."""
    return {**schema, BODY_REQUIRED: True}


def partial(schema: Schema, *, without: tuple[str, ...] = ()) -> Schema:
    """Declares the update body of a create body: the same fields but without, none required."""
    kept = {k: v for k, v in schema["properties"].items() if k not in without}
    return obj(**kept)


def check(schema: Schema, value: Any, field: str = "") -> Any:
    """Returns value if it fits schema; otherwise refuses the request, naming the field."""
    kind = schema["type"]
    if not _is(kind, value):
        raise invalid(f"{_name(field)} must be {_KINDS[kind][1]}", field)
    if "enum" in schema and value not in schema["enum"]:
        raise invalid(f"{_name(field)} must be one of {', '.join(schema['enum'])}", field)
    if kind == "string":
        _check_text(schema, value, field)
    elif kind == "integer":
        _check_integer(schema, value, field)
    elif kind == "array":
        for index, item in enumerate(value):
            check(schema["items"], item, f"{field}[{index}]")
    elif kind == "object":
        _check_object(schema, value, field)
    return value


def _is(kind: str, value: Any) -> bool:
    python_type = _KINDS[kind][0]
    return isinstance(value, python_type) and not (kind == "integer" and isinstance(value, bool))


def _check_text(schema: Schema, value: str, field: str) -> None:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if len(value) < low or (high is not None and len(value) > high):
        most = f"at most {high}" if high is not None else "any number of"
        raise invalid(f"{_name(field)} must have at least {low} and {most} characters", field)
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise invalid(f"{_name(field)} must match {schema['pattern']}", field)


def _check_integer(schema: Schema, value: int, field: str) -> None:
    format_low, format_high = _BOUNDS.get(schema.get("format", ""), (None, None))
    lows = [b for b in (format_low, schema.get("minimum")) if b is not None]
    highs = [b for b in (format_high, schema.get("maximum")) if b is not None]
    low, high = max(lows, default=None), min(highs, default=None)
    if (low is not None and value < low) or (high is not None and value > high):
        limits = " and ".join(
            f"{word} {bound}"
            for word, bound in (("at least", low), ("at most", high))
            if bound is not None
        )
        raise invalid(f"{_name(field)} must be {limits}", field)


def _check_object(schema: Schema, value: dict[str, Any], field: str) -> None:
    prefix = f"{field}." if field else ""
    for name in schema.get("required", []):
        if name not in value:
            raise invalid(f"{prefix}{name} is required", prefix + name)
    for name, item in value.items():
        if name not in schema["properties"]:
            raise invalid(f"{prefix}{name} is not a field PortSIP knows here", prefix + name)
        check(schema["properties"][name], item, prefix + name)


def _name(field: str) -> str:
    return field or "the request body"
