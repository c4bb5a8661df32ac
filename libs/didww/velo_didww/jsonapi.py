"""Flattens JSON:API documents into plain dicts with included relationships resolved."""

from __future__ import annotations

from typing import Any

Resource = dict[str, Any]
Index = dict[tuple[str, str], Resource]


def index_included(doc: dict[str, Any]) -> Index:
    """Returns the document's included resources keyed by (type, id)."""
    return {(r["type"], r["id"]): r for r in doc.get("included") or ()}


def flatten(resource: Resource, included: Index, depth: int = 2) -> dict[str, Any]:
    """Returns id, attributes, meta, and `<rel>_id(s)` plus `<rel>` for each linked relationship."""
    flat: dict[str, Any] = {"id": resource["id"], **(resource.get("attributes") or {})}
    flat["meta"] = resource.get("meta") or {}
    for name, rel in (resource.get("relationships") or {}).items():
        if "data" in rel:
            flat.update(_linked(name, rel["data"], included, depth))
    return flat


def _linked(name: str, data: Any, included: Index, depth: int) -> dict[str, Any]:
    if data is None:
        return {f"{name}_id": None, name: None}
    if isinstance(data, list):
        found = [_resolve(d, included, depth) for d in data]
        return {f"{name}_ids": [d["id"] for d in data], name: [f for f in found if f is not None]}
    return {f"{name}_id": data["id"], name: _resolve(data, included, depth)}


def _resolve(identifier: Resource, included: Index, depth: int) -> dict[str, Any] | None:
    resource = included.get((identifier["type"], identifier["id"]))
    if resource is None or depth <= 0:
        return None
    return flatten(resource, included, depth - 1)


def flatten_one(doc: dict[str, Any]) -> dict[str, Any]:
    """Returns the document's primary resource, flattened."""
    return flatten(doc["data"], index_included(doc))


def flatten_many(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Returns the document's primary resources, flattened."""
    included = index_included(doc)
    return [flatten(r, included) for r in doc["data"]]


def resource(
    type_: str,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
    id_: str | None = None,
) -> dict[str, Any]:
    """Returns a request document; relationships map names to (type, id) or None."""
    data: dict[str, Any] = {"type": type_}
    if id_ is not None:
        data["id"] = id_
    if attributes:
        data["attributes"] = attributes
    if relationships:
        data["relationships"] = {
            name: {"data": None if ref is None else {"type": ref[0], "id": ref[1]}}
            for name, ref in relationships.items()
        }
    return {"data": data}
