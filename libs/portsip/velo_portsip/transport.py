"""Authenticated calls with PortSIP's conventions: bearer token, one re-login, safe retries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from velo_portsip.auth import TokenKeeper
from velo_portsip.errors import NotFound, Unavailable, ValidationFailed
from velo_portsip.wire import body_of, error_for, exchange

log = logging.getLogger("velo_portsip")

PAGE_SIZE = 100  # PortSIP's maximum `top`


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently idempotent calls are retried when PortSIP is unavailable."""

    attempts: int = 3
    backoff: float = 0.2
    max_backoff: float = 2.0

    def delay(self, attempt: int) -> float:
        """Returns the pause before retry number attempt (1-based), doubling each time."""
        return float(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))


class Transport:
    """Sends authenticated requests and maps answers to data or the client's errors."""

    def __init__(self, http: httpx.AsyncClient, tokens: TokenKeeper, retry: RetryPolicy):
        self._http = http
        self._tokens = tokens
        self._retry = retry

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GETs path, retrying while PortSIP is unavailable."""
        return await self._retrying("GET", path, params=params)

    async def create(self, path: str, body: dict[str, Any]) -> Any:
        """POSTs a create once: a lost answer may still have created it (look it up by name)."""
        return await self._call("POST", path, json=body)

    async def update(self, path: str, body: dict[str, Any]) -> None:
        """POSTs an update; retried, as writing the same fields twice is harmless."""
        await self._retrying("POST", path, json=body)

    async def destroy(self, path: str) -> None:
        """POSTs `<object>/destroy`, retried. PortSIP refuses a destroy of an absent object with
        400 (its spec) or 404, as it refuses one it will not do: a GET of the object tells which.
        Absent, it is NotFound — or done, on a retry whose first attempt went through."""
        await self._retrying("POST", path, destroying=path.removesuffix("/destroy"))

    async def exists(self, path: str) -> bool:
        """Tells whether GET path finds the object."""
        try:
            await self.get(path)
        except NotFound:
            return False
        return True

    async def pages(self, path: str, params: dict[str, Any] | None = None) -> AsyncIterator[Any]:
        """Yields every item of a list, one `top`-sized page at a time."""
        skip = 0
        while True:
            page = await self.get(path, {**(params or {}), "skip": skip, "top": PAGE_SIZE})
            items = page.get("items") or []
            for item in items:
                yield item
            skip += len(items)
            if not items or skip >= int(page.get("count", 0)):
                return

    async def _retrying(
        self, method: str, path: str, *, destroying: str | None = None, **kwargs: Any
    ) -> Any:
        attempt = 1
        while True:
            try:
                return await self._call(method, path, **kwargs)
            except (ValidationFailed, NotFound) as refused:
                if destroying is None or await self.exists(destroying):
                    raise
                if attempt > 1:
                    return None  # an earlier attempt deleted it; its answer was lost
                raise NotFound(refused.message, code=refused.code, status=refused.status) from None
            except Unavailable as exc:
                if attempt >= self._retry.attempts:
                    raise
                log.warning("portsip unavailable, retrying: %s (attempt %d)", exc.message, attempt)
                await asyncio.sleep(self._retry.delay(attempt))
                attempt += 1

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = await self._tokens.header()
        response = await exchange(self._http, method, path, headers=headers, **kwargs)
        if response.status_code == 401:
            headers = await self._tokens.relogin(headers)
            response = await exchange(self._http, method, path, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise error_for(response, f"{method} {path}")
        return body_of(response)
