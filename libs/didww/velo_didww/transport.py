"""HTTP transport of the DIDWW client: auth, timeouts, rate budget, safe retries, error mapping.

A 429 is not slept off here: it pauses the key's budget (by DIDWW's Retry-After), so every
caller of the key — in this process or, with a shared budget, in any — holds back once, and the
retry takes its turn in the schedule again instead of firing with everyone else a second later.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Any

import httpx

from velo_didww.errors import DidwwError, RateLimited, Unavailable
from velo_didww.mapping import error_for_response
from velo_didww.ratelimit import Budget
from velo_didww.schedule import Priority

MEDIA_TYPE = "application/vnd.api+json"
API_VERSION = "2026-04-16"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE"})
"""PATCH counts: every PATCH this client sends sets absolute values."""

log = logging.getLogger("velo_didww")

JsonDoc = dict[str, Any]
Multipart = tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]
"""Form fields and files (name -> (filename, content, content type)) of a multipart request."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a request that is safe to retry."""

    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 5.0

    def backoff(self, attempt: int) -> float:
        """Returns the jittered exponential delay before retry number attempt (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


class Transport:
    """Sends JSON:API requests to DIDWW and returns decoded documents or raises DidwwError."""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        timeout: httpx.Timeout,
        retry: RetryPolicy,
        budget: Budget | None,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        priority: Priority = Priority.IN_FLIGHT,
    ) -> None:
        headers = {
            "Api-Key": api_key,
            "Accept": MEDIA_TYPE,
            "Content-Type": MEDIA_TYPE,
            "X-DIDWW-API-Version": API_VERSION,
        }
        self._http = http or httpx.AsyncClient(timeout=timeout, transport=transport)
        self._owns_http = http is None
        self._headers = headers
        self._form_headers = {
            **{k: v for k, v in headers.items() if k != "Content-Type"},
            "Accept": f"application/json, {MEDIA_TYPE}",
        }
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._retry = retry
        self._budget = budget
        self._priority = priority

    def __repr__(self) -> str:
        return f"Transport(base_url={self._base_url!r})"

    async def aclose(self) -> None:
        """Closes the HTTP connection pool if this transport created it."""
        if self._owns_http:
            await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        body: JsonDoc | None = None,
    ) -> JsonDoc | None:
        """Sends one request, retrying only where repeating it cannot do harm."""
        idempotent = method in IDEMPOTENT_METHODS
        attempt = 1
        while True:
            try:
                return await self._send_once(method, path, params, body)
            except RateLimited as exc:
                if attempt >= self._retry.attempts:
                    raise
                delay = await self._rate_limited(method, path, exc.retry_after)
            except Unavailable as exc:
                safe_to_repeat = idempotent or not exc.maybe_processed
                if not safe_to_repeat or attempt >= self._retry.attempts:
                    raise
                delay = self._retry.backoff(attempt)
            log.info("didww retry", extra={"method": method, "path": path, "attempt": attempt})
            if delay > 0:
                await asyncio.sleep(delay)
            attempt += 1

    async def upload(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
    ) -> JsonDoc | None:
        """Sends a multipart/form-data POST (DIDWW's one non-JSON:API request); retried like an
        idempotent call, so only use it for uploads that are safe to repeat."""
        attempt = 1
        while True:
            try:
                return await self._send_once("POST", path, None, None, (fields, files))
            except RateLimited as exc:
                if attempt >= self._retry.attempts:
                    raise
                delay = await self._rate_limited("POST", path, exc.retry_after)
            except Unavailable:
                if attempt >= self._retry.attempts:
                    raise
                delay = self._retry.backoff(attempt)
            log.info("didww retry", extra={"method": "POST", "path": path, "attempt": attempt})
            if delay > 0:
                await asyncio.sleep(delay)
            attempt += 1

    async def _rate_limited(self, method: str, path: str, retry_after: float) -> float:
        """Returns how long to sleep before the retry: nothing when the budget holds back."""
        log.warning("didww 429", extra={"method": method, "path": path, "retry_after": retry_after})
        if self._budget is None:
            return retry_after
        await self._budget.back_off(retry_after)
        return 0.0

    async def _send_once(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None,
        body: JsonDoc | None,
        form: Multipart | None = None,
    ) -> JsonDoc | None:
        if self._budget is not None:
            await self._budget.acquire(self._priority)
        url = f"{self._base_url}{path}"
        try:
            if form is None:
                response = await self._http.request(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers=self._headers,
                    timeout=self._timeout,
                )
            else:
                response = await self._http.request(
                    method,
                    url,
                    data=form[0],
                    files=form[1],
                    headers=self._form_headers,
                    timeout=self._timeout,
                )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise Unavailable(f"DIDWW unreachable: {type(exc).__name__}", None, False) from None
        except httpx.TransportError as exc:
            raise Unavailable(
                f"DIDWW did not answer {method} {path}: {type(exc).__name__}"
            ) from None
        log.debug(
            "didww call", extra={"method": method, "path": path, "status": response.status_code}
        )
        return _decode(method, path, response)


def _decode(method: str, path: str, response: httpx.Response) -> JsonDoc | None:
    if response.status_code >= 400:
        raise error_for_response(method, path, response)
    if response.status_code == 204 or not response.content:
        return None
    try:
        doc: JsonDoc = response.json()
    except ValueError:
        raise DidwwError(f"DIDWW sent non-JSON to {method} {path}", response.status_code) from None
    return doc
