"""Stable resource ids: the same catalog gets the same ids on every start."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6f1c1f4e-8a53-4c1e-9d0e-5b1d2f0a7c11")


def stable_id(*parts: str) -> str:
    """Returns a UUID derived from parts, the same on every start."""
    return str(uuid.uuid5(_NAMESPACE, ":".join(parts)))
