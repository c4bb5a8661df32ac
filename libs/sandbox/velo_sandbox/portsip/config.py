"""Sandbox settings: tenants to create, token lifetime, rate limit, and a clock tests can move."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


class SandboxClock:
    """Monotonic seconds that tests (or `/_admin/clock`) can move forward without sleeping."""

    def __init__(self, source: Callable[[], float] = time.monotonic):
        self._source = source
        self._offset = 0.0

    def __call__(self) -> float:
        return self._source() + self._offset

    def advance(self, seconds: float) -> None:
        """Moves the clock seconds forward."""
        self._offset += seconds


@dataclass(frozen=True)
class TenantSeed:
    """A tenant to create at start: SIP domain and its admin login."""

    domain: str
    admin: str
    password: str = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> TenantSeed:
        """Parses `DOMAIN:ADMIN:PASSWORD` (the password may contain colons)."""
        domain, admin, password = text.split(":", 2)
        if not (domain and admin and password):
            raise ValueError("expected DOMAIN:ADMIN:PASSWORD")
        return cls(domain, admin, password)


DEMO_TENANTS = (
    TenantSeed("acme.pbx.local", "admin", "acme-admin-pass"),
    TenantSeed("globex.pbx.local", "admin", "globex-admin-pass"),
)
"""Seeded unless tenants are given explicitly; the rest of the system relies on these names."""


@dataclass
class SandboxConfig:
    """How the sandbox starts."""

    tenants: tuple[TenantSeed, ...] = DEMO_TENANTS
    seed_directory: bool = True
    token_ttl: float = 1800.0
    refresh_ttl: float = 7 * 24 * 3600.0
    rate_limit_per_minute: int = 10_000
    system_admin: tuple[str, str] = ("sysadmin", "system-admin-pass")
    clock: SandboxClock = field(default_factory=SandboxClock)
