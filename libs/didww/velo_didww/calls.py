"""What every DIDWW call shares: the transport, one document per call, pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from velo_didww.jsonapi import flatten, index_included
from velo_didww.params import page
from velo_didww.transport import JsonDoc, Transport


class ApiCalls:
    """Base of the client: sends requests through its transport and reads documents."""

    _transport: Transport

    async def paginate(
        self, path: str, params: dict[str, str], page_size: int = 50
    ) -> AsyncIterator[dict[str, Any]]:
        """Yields every resource of a paginated collection, flattened, following `links.next`."""
        number = 1
        while True:
            doc = await self._get(path, page(params, number, page_size))
            included = index_included(doc)
            for item in doc["data"]:
                yield flatten(item, included)
            if not (doc.get("links") or {}).get("next"):
                return
            number += 1

    async def _get(self, path: str, params: dict[str, str] | None = None) -> JsonDoc:
        return await self._send("GET", path, None, params)

    async def _send(
        self, method: str, path: str, body: JsonDoc | None, params: dict[str, str] | None = None
    ) -> JsonDoc:
        doc = await self._transport.request(method, path, params, body)
        if doc is None:
            raise ValueError(f"DIDWW sent no document for {method} {path}")
        return doc
