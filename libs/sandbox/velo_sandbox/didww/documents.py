"""JSON:API documents: relationship links, includes (nested), pagination links and meta."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from velo_sandbox.didww.errors import bad_request
from velo_sandbox.didww.render import Rendered, identify, render
from velo_sandbox.didww.state import SandboxState

API_VERSION = "2026-04-16"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
Tree = dict[str, "Tree"]


class Composer:
    """Builds the documents of one request: base URL, includes and collected `included`."""

    def __init__(self, request: Request, state: SandboxState, allowed: Sequence[str] = ()):
        self.request = request
        self.state = state
        self.base = str(request.base_url).rstrip("/") + "/v3"
        self.includes = _include_tree(request.query_params.get("include"), allowed)
        self.fieldsets = _fieldsets(request)
        self.included: dict[tuple[str, str], dict[str, Any]] = {}

    def resource(self, obj: Any, tree: Tree | None = None) -> dict[str, Any]:
        """Returns obj as a resource object, linking and collecting what tree includes."""
        rendered = render(obj, self.state)
        tree = self.includes if tree is None else tree
        out: dict[str, Any] = {
            "id": rendered.id,
            "type": rendered.type,
            "attributes": rendered.attributes,
        }
        if rendered.related:
            out["relationships"] = {
                name: self._relationship(rendered, name, tree) for name in rendered.related
            }
        if rendered.meta is not None:
            out["meta"] = rendered.meta
        return self._sparse(out)

    def _sparse(self, out: dict[str, Any]) -> dict[str, Any]:
        """Keeps only the fields `fields[<type>]` asks for (an unknown one answers 400)."""
        wanted = self.fieldsets.get(out["type"])
        if wanted is None:
            return out
        attributes, relationships = out["attributes"], out.get("relationships", {})
        unknown = sorted(wanted - set(attributes) - set(relationships))
        if unknown:
            detail = f"{unknown[0]} is not a valid field for {out['type']}."
            raise bad_request("Invalid field", detail, "104")
        out["attributes"] = {k: v for k, v in attributes.items() if k in wanted}
        if relationships:
            out["relationships"] = {k: v for k, v in relationships.items() if k in wanted}
        return out

    def _relationship(self, rendered: Rendered, name: str, tree: Tree) -> dict[str, Any]:
        url = f"{self.base}/{rendered.type}/{rendered.id}"
        rel: dict[str, Any] = {
            "links": {"self": f"{url}/relationships/{name}", "related": f"{url}/{name}"}
        }
        if name not in tree:
            return rel
        target = rendered.related[name]
        targets = target if isinstance(target, list) else [] if target is None else [target]
        linkage = [identify(t) for t in targets]
        for item, ident in zip(targets, linkage, strict=True):
            if (ident["type"], ident["id"]) not in self.included:
                self.included[(ident["type"], ident["id"])] = self.resource(item, tree[name])
        rel["data"] = linkage if isinstance(target, list) else (linkage[0] if linkage else None)
        return rel

    def single(self, obj: Any) -> dict[str, Any]:
        """Returns the document of one resource."""
        data = self.resource(obj)
        return self._finish({"data": data}, {"api_version": API_VERSION})

    def collection(
        self, items: Sequence[Any], paginate: bool = True, **meta: Any
    ) -> dict[str, Any]:
        """Returns the document of a collection, paginated unless told otherwise."""
        if not paginate:
            return self._finish(
                {"data": [self.resource(i) for i in items]}, {"api_version": API_VERSION, **meta}
            )
        number, size = page_params(self.request)
        last = max(1, -(-len(items) // size))
        chunk = items[(number - 1) * size : number * size]
        doc = {"data": [self.resource(i) for i in chunk], "links": self._links(number, last, size)}
        return self._finish(doc, {"api_version": API_VERSION, "total_records": len(items), **meta})

    def _finish(self, doc: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
        if self.included:
            doc["included"] = list(self.included.values())
        doc["meta"] = meta
        return doc

    def _links(self, number: int, last: int, size: int) -> dict[str, str]:
        links = {"first": self._page_url(1, size), "last": self._page_url(last, size)}
        if number < last:
            links["next"] = self._page_url(number + 1, size)
        if number > 1:
            links["prev"] = self._page_url(min(number - 1, last), size)
        return links

    def _page_url(self, number: int, size: int) -> str:
        params = {k: v for k, v in self.request.query_params.items() if not k.startswith("page[")}
        params |= {"page[number]": str(number), "page[size]": str(size)}
        return f"{self.base}{self.request.url.path.removeprefix('/v3')}?{urlencode(params)}"


def page_params(request: Request) -> tuple[int, int]:
    """Returns the requested page number and size, refusing bad values with a 400."""
    try:
        number = int(request.query_params.get("page[number]", "1"))
        size = int(request.query_params.get("page[size]", str(DEFAULT_PAGE_SIZE)))
    except ValueError:
        raise bad_request("Invalid page value", "page must be an integer", "105") from None
    if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise bad_request(
            "Invalid page value", f"page out of range (size <= {MAX_PAGE_SIZE})", "105"
        )
    return number, size


def _fieldsets(request: Request) -> dict[str, set[str]]:
    """Returns the sparse fieldsets asked for: `fields[countries]=name,iso`."""
    return {
        key[7:-1]: {name.strip() for name in value.split(",") if name.strip()}
        for key, value in request.query_params.items()
        if key.startswith("fields[") and key.endswith("]")
    }


def _include_tree(raw: str | None, allowed: Sequence[str]) -> Tree:
    tree: Tree = {}
    if raw is None:
        return tree
    paths = [p.strip() for p in raw.split(",")]
    if not all(part for path in paths for part in path.split(".")):
        raise bad_request("Invalid include", "include names no relationship.", "112")
    for path in paths:
        if path.split(".")[0] not in allowed:
            raise bad_request("Invalid include", f"{path} is not a valid include.", "112")
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})
    return tree
