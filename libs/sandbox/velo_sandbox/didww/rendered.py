"""A resource about to be rendered: its type, id, attributes and relationship targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Related = Any
"""A relationship target: an object, a list of objects, or None."""


@dataclass
class Rendered:
    """A resource plus the objects its relationships point at."""

    type: str
    id: str
    attributes: dict[str, Any]
    related: dict[str, Related] = field(default_factory=dict)
    meta: dict[str, Any] | None = None
