"""The gateway's bearer tokens: HS256 JWTs naming a tenant user and their role.

The host application mints them in production; `velo dev token`, the Phone numbers page's
development sign-in and the tests mint them here, the one way.
"""

from __future__ import annotations

import time

import jwt

from velo_contracts.envelope import Role

REQUIRED_CLAIMS = ("sub", "tenant_id", "role", "exp")
"""Claims every token carries: user id, tenant id, role and expiry (seconds since the epoch)."""
USER_ROLES = frozenset({Role.ADMIN.value, Role.AGENT.value})
"""The roles a tenant user's token may carry; `system` and `operator` are never a caller."""
ALGORITHM = "HS256"


def mint(secret: str, tenant_id: str, user_id: str, role: str = "admin", hours: float = 8) -> str:
    """Returns a token for a tenant user, signed with the gateway's secret, valid for hours."""
    if role not in USER_ROLES:
        raise ValueError(f"role must be admin or agent, not {role!r}")
    claims = {
        "sub": user_id,
        "tenant_id": tenant_id,
        "role": role,
        "exp": int(time.time() + hours * 3600),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)
