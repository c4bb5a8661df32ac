"""JSON:API request documents, refused as jsonapi-resources (DIDWW's framework) refuses them:
400 with its codes for a body that is no resource document of the endpoint's type."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from starlette.requests import Request

from velo_sandbox.didww.errors import bad_request, invalid

RELATIONSHIPS = "/data/relationships"


class Linkage(NamedTuple):
    """A resource identifier in a relationship: `{"type": ..., "id": ...}`."""

    type: str
    id: str


@dataclass(frozen=True)
class Document:
    """The primary resource of a request body, checked for shape (not yet for values)."""

    attributes: dict[str, Any]
    relationships: dict[str, Linkage | None]
    collections: dict[str, list[Linkage]] = field(default_factory=dict)
    """To-many relationships sent (`{"data": [...]}`)."""

    def target(self, name: str, type_: str) -> str | None:
        """Returns the id a relationship points at (None when unset or null); 422 if the
        identifier names another type of resource."""
        linkage = self.relationships.get(name)
        if linkage is None:
            return None
        if linkage.type != type_:
            raise invalid(name, "is invalid", RELATIONSHIPS)
        return linkage.id

    def targets(self, name: str, type_: str) -> list[str] | None:
        """Returns the ids a to-many relationship points at (None when not sent); 422 if one
        names another type of resource."""
        linkages = self.collections.get(name)
        if linkages is None:
            return None
        if any(linkage.type != type_ for linkage in linkages):
            raise invalid(name, "is invalid", RELATIONSHIPS)
        return [linkage.id for linkage in linkages]


async def read_document(
    request: Request,
    type_: str,
    *,
    id_: str | None = None,
    relationships: Collection[str] = (),
    many: Collection[str] = (),
) -> Document:
    """Reads the request's `data` of type_ (and id_, when updating one resource); `many` names
    its to-many relationships."""
    data = await _data(request)
    if data.get("type") != type_:
        raise bad_request("Invalid resource", f"{data.get('type')} is not a valid resource.", "101")
    if id_ is not None and data.get("id") != id_:
        raise bad_request("Key is not included in URL", f"The URL does not include {id_}.", "110")
    attributes = data.get("attributes", {})
    if not isinstance(attributes, dict):
        raise bad_request("Invalid data format", "attributes must be an object.", "122")
    raw = data.get("relationships", {})
    if not isinstance(raw, dict):
        raise bad_request("Invalid data format", "relationships must be an object.", "122")
    ones = _relationships({k: v for k, v in raw.items() if k not in many}, relationships)
    lists = {name: _linkages(name, value) for name, value in raw.items() if name in many}
    return Document(attributes, ones, lists)


async def _data(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise bad_request("Invalid request", "The body is not valid JSON.", "105") from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise bad_request("Missing parameter", "data is required.", "106")
    return data


def _relationships(raw: Any, allowed: Collection[str]) -> dict[str, Linkage | None]:
    if not isinstance(raw, dict):
        raise bad_request("Invalid data format", "relationships must be an object.", "122")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise bad_request("Param not allowed", f"{unknown[0]} is not allowed.", "105")
    return {name: _linkage(name, value) for name, value in raw.items()}


def _linkages(name: str, relationship: Any) -> list[Linkage]:
    if not isinstance(relationship, dict) or not isinstance(relationship.get("data"), list):
        raise bad_request("Invalid Links Object", f"{name} needs a data array.", "115")
    found = [_linkage(name, {"data": item}) for item in relationship["data"]]
    if any(linkage is None for linkage in found):
        raise bad_request("Invalid Links Object", f"{name} data needs a type and an id.", "115")
    return [linkage for linkage in found if linkage is not None]


def _linkage(name: str, relationship: Any) -> Linkage | None:
    if not isinstance(relationship, dict) or "data" not in relationship:
        raise bad_request("Invalid Links Object", f"{name} needs a data member.", "115")
    data = relationship["data"]
    if data is None:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("type", "id")):
        raise bad_request("Invalid Links Object", f"{name} data needs a type and an id.", "115")
    return Linkage(data["type"], data["id"])
