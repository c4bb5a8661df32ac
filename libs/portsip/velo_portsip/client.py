"""The PortSIP client: one logged-in admin, its token, and the resource groups."""

from __future__ import annotations

import time
from types import TracebackType

import httpx

from velo_portsip.auth import AuthMode, Clock, Credentials, TokenKeeper
from velo_portsip.directory import Directory, Users
from velo_portsip.routing import InboundRules, OutboundRules
from velo_portsip.transport import RetryPolicy, Transport
from velo_portsip.trunks import Assignees, Providers

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class PortsipClient:
    """Talks to one PortSIP server as one admin (tenant admin with domain, or SystemAdmin)."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        domain: str | None = None,
        *,
        auth_mode: AuthMode = "sign_in",
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Clock = time.monotonic,
        refresh_margin: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        """Prepares a client for the API root base_url, e.g. `https://pbx:8887/api`."""
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
        )
        credentials = Credentials(username, password, domain)
        self.domain = domain
        self.tokens = TokenKeeper(
            self._http, credentials, mode=auth_mode, clock=clock, refresh_margin=refresh_margin
        )
        calls = Transport(self._http, self.tokens, retry or RetryPolicy())
        self.providers = Providers(calls)
        self.assignees = Assignees(calls)
        self.inbound_rules = InboundRules(calls)
        self.outbound_rules = OutboundRules(calls)
        self.users = Users(calls)
        self.directory = Directory(calls)

    def __repr__(self) -> str:
        return f"PortsipClient({self._http.base_url!s}, domain={self.domain!r})"

    async def login(self) -> None:
        """Logs in now (otherwise the first call does), so bad credentials fail early."""
        await self.tokens.header()

    async def aclose(self) -> None:
        """Closes the HTTP connections."""
        await self._http.aclose()

    async def __aenter__(self) -> PortsipClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
