"""Access and refresh tokens that expire on the sandbox clock, and a per-caller rate limit."""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass

from velo_sandbox.portsip.config import SandboxConfig


@dataclass(frozen=True)
class Caller:
    """Who a token belongs to: a tenant admin (tenant_id set) or the SystemAdmin."""

    role: str
    tenant_id: str | None
    username: str


@dataclass
class Grant:
    """One issued token pair."""

    caller: Caller
    access: str
    refresh: str
    expires_at: float
    refresh_expires_at: float


class Tokens:
    """Issues, checks, refreshes and revokes tokens."""

    def __init__(self, config: SandboxConfig):
        self._config = config
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}
        self._calls: dict[Caller, deque[float]] = {}

    def issue(self, caller: Caller) -> Grant:
        """Issues a new token pair for caller."""
        now = self._config.clock()
        grant = Grant(
            caller,
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(24),
            now + self._config.token_ttl,
            now + self._config.refresh_ttl,
        )
        self._access[grant.access] = grant
        self._refresh[grant.refresh] = grant
        return grant

    def check(self, access: str) -> Caller | None:
        """Returns the caller of a valid access token, or None."""
        grant = self._access.get(access)
        if grant is None or self._config.clock() >= grant.expires_at:
            return None
        return grant.caller

    def refresh(self, refresh: str) -> Grant | None:
        """Trades a valid refresh token (used once) for a new pair."""
        grant = self._refresh.pop(refresh, None)
        if grant is None or self._config.clock() >= grant.refresh_expires_at:
            return None
        return self.issue(grant.caller)

    def revoke(self, access: str) -> None:
        """Signs one token pair out."""
        grant = self._access.pop(access, None)
        if grant:
            self._refresh.pop(grant.refresh, None)

    def expire_tenant(self, tenant_id: str) -> int:
        """Expires every access token of a tenant now; returns how many."""
        doomed = [k for k, g in self._access.items() if g.caller.tenant_id == tenant_id]
        for key in doomed:
            del self._access[key]
        return len(doomed)

    def within_rate(self, caller: Caller) -> bool:
        """Counts one call by caller and tells whether it stays under the per-minute limit."""
        now = self._config.clock()
        calls = self._calls.setdefault(caller, deque())
        while calls and calls[0] <= now - 60:
            calls.popleft()
        calls.append(now)
        return len(calls) <= self._config.rate_limit_per_minute
