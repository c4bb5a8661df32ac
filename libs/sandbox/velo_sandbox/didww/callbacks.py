"""Sends DIDWW's callbacks: signed with the account's callback secret, retried a few times."""

from __future__ import annotations

import asyncio
import logging

import httpx

from velo_sandbox.didww.signing import signature

log = logging.getLogger("velo_sandbox.didww")
CALLBACK_ATTEMPTS = 3


class CallbackSender:
    """One HTTP client for every callback of a sandbox.

    Making a client costs ~50 ms of CPU (its TLS context), so a client per callback stalled the
    sandbox for a second when a bulk's orders completed together — and then it counted the
    requests queued meanwhile as one burst (429s).
    """

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self._http: httpx.AsyncClient | None = None

    async def send(
        self, secret: str, url: str, method: str | None, payload: dict[str, str]
    ) -> int | None:
        """Sends payload (form-encoded for POST, a query for GET) signed with secret; retries
        a failure a few times. Returns the last HTTP status (None: nothing answered)."""
        headers = {"X-DIDWW-Signature": signature(secret, url, payload)}
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.timeout)
        http_status = None
        for attempt in range(CALLBACK_ATTEMPTS):
            http_status = await self._send_once(self._http, url, method, payload, headers)
            if http_status is not None and http_status < 300:
                break
            await asyncio.sleep(0.2 * 2**attempt)
        return http_status

    @staticmethod
    async def _send_once(
        http: httpx.AsyncClient,
        url: str,
        method: str | None,
        payload: dict[str, str],
        headers: dict[str, str],
    ) -> int | None:
        try:
            if method == "get":
                response = await http.get(url, params=payload, headers=headers)
            else:
                response = await http.post(url, data=payload, headers=headers)
        except httpx.HTTPError as exc:
            log.warning(
                "callback failed",
                extra={
                    "type": payload.get("type"),
                    "id": payload.get("id"),
                    "error": type(exc).__name__,
                },
            )
            return None
        return response.status_code

    async def aclose(self) -> None:
        """Closes the HTTP client."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None
