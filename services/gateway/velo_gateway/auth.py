"""Bearer JWT authentication: who calls, for which tenant, with which role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from velo_contracts import Actor, Role
from velo_contracts.tenants import TENANT_ID_PATTERN
from velo_contracts.tokens import REQUIRED_CLAIMS, USER_ROLES
from velo_gateway.problems import Problem

TENANT_ID = re.compile(TENANT_ID_PATTERN)
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="A JWT (HS256) with claims `sub`, `tenant_id`, `role` (admin or agent), `exp`.",
)
"""Declares the bearer scheme in the OpenAPI document (the Authorize button of /docs)."""


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request."""

    user_id: str
    tenant_id: str
    role: Role

    @property
    def actor(self) -> Actor:
        """The caller as the actor of the commands it issues."""
        return Actor(user_id=self.user_id, role=self.role)


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail)


def authenticate(
    request: Request, bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> Caller:
    """Verifies the bearer token of request and returns its caller."""
    if bearer is None or not bearer.credentials:
        raise _unauthorized("send `Authorization: Bearer <token>`")
    token = bearer.credentials
    settings = request.app.state.settings
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=settings.jwt_algorithms,
            options={"require": list(REQUIRED_CLAIMS)},
        )
        tenant_id = str(claims["tenant_id"])
        if not TENANT_ID.fullmatch(tenant_id):
            raise _unauthorized("the token's tenant_id is not a tenant id")
        role = str(claims["role"])
        if role not in USER_ROLES:
            raise _unauthorized(f"the token's role must be admin or agent, not {role[:20]!r}")
        return Caller(str(claims["sub"]), tenant_id, Role(role))
    except jwt.ExpiredSignatureError:
        raise _unauthorized("the token has expired") from None
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise _unauthorized(f"the token is not valid: {type(exc).__name__}") from None


async def registered(caller: Annotated[Caller, Depends(authenticate)], request: Request) -> Caller:
    """Lets a caller through only if its tenant is registered."""
    await request.app.state.gateway.tenants.check(caller.tenant_id)
    return caller


def require_admin(caller: Annotated[Caller, Depends(registered)]) -> Caller:
    """Lets only the tenant's admins through."""
    if caller.role is not Role.ADMIN:
        raise Problem(403, "Forbidden", "only tenant admins may do this")
    return caller


AnyUser = Annotated[Caller, Depends(registered)]
Admin = Annotated[Caller, Depends(require_admin)]
