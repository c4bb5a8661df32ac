"""Keeps a tenant admin's PortSIP token: logs in, refreshes before expiry, logs in again on 401."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from velo_portsip.errors import PortsipError, Unauthorized
from velo_portsip.wire import body_of, error_for, exchange

AuthMode = Literal["sign_in", "login"]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Credentials:
    """A PortSIP login; the password never appears in reprs."""

    username: str
    password: str = field(repr=False)
    domain: str | None = None

    def body(self) -> dict[str, str]:
        """Returns the login request body."""
        body = {"username": self.username, "password": self.password}
        return body | ({"domain": self.domain} if self.domain else {})


@dataclass
class _Token:
    access: str = field(repr=False)
    refresh: str | None = field(repr=False)
    expires_at: float


class TokenKeeper:
    """Hands out a valid bearer token, logging in or refreshing as needed."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        credentials: Credentials,
        *,
        mode: AuthMode = "sign_in",
        clock: Clock = time.monotonic,
        refresh_margin: float = 60.0,
    ):
        self._http = http
        self._credentials = credentials
        self._mode = mode
        self._clock = clock
        self._margin = refresh_margin
        self._token: _Token | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"TokenKeeper({self._credentials!r}, mode={self._mode!r})"

    async def header(self) -> dict[str, str]:
        """Returns the Authorization header, refreshing the token shortly before it expires."""
        async with self._lock:
            token = self._token
            if token is None:
                token = await self._login()
            elif self._clock() >= token.expires_at - self._margin:
                token = await self._renew(token)
            self._token = token
        return {"Authorization": f"Bearer {token.access}"}

    async def relogin(self, refused: dict[str, str]) -> dict[str, str]:
        """Logs in afresh after the server refused the `refused` header (once per refusal)."""
        async with self._lock:
            current = self._token
            if current is None or refused["Authorization"].endswith(current.access):
                self._token = await self._login()
        return await self.header()

    async def _renew(self, token: _Token) -> _Token:
        if token.refresh is None:
            return await self._login()
        try:
            return await self._post("/auth/refresh_token", {"refresh_token": token.refresh})
        except PortsipError as exc:
            if exc.status is None or exc.status >= 500:
                raise
            return await self._login()

    async def _login(self) -> _Token:
        path = "/auth/sign_in" if self._mode == "sign_in" else "/login"
        return await self._post(path, self._credentials.body())

    async def _post(self, path: str, body: dict[str, str]) -> _Token:
        started = self._clock()
        response = await exchange(self._http, "POST", path, json=body)
        if response.status_code >= 400:
            raise error_for(response, f"POST {path}")
        return self._token_from(body_of(response) or {}, started, path)

    def _token_from(self, data: dict[str, Any], started: float, path: str) -> _Token:
        if data.get("two_factor_enabled"):
            raise Unauthorized(f"POST {path}: two-factor login is not supported", code="TWO_FACTOR")
        if not data.get("access_token"):
            raise Unauthorized(f"POST {path}: no access token in the answer", code="UNAUTHORIZED")
        lifetime = float(data.get("expires_in") or 0) or 1800.0
        return _Token(data["access_token"], data.get("refresh_token"), started + lifetime)
