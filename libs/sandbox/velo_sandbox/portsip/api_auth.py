"""`/api/login`, `/api/auth/*`: tenant admins log in with their SIP domain, SystemAdmin without."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.portsip.config import SandboxConfig
from velo_sandbox.portsip.http import Ctx, bearer, error_document, ok
from velo_sandbox.portsip.store import Store
from velo_sandbox.portsip.tokens import Caller, Grant, Tokens


def auth_routes(store: Store, tokens: Tokens, config: SandboxConfig) -> list[Route]:
    """Returns the login, token and session routes."""

    def authenticate(body: dict[str, object]) -> Caller | None:
        username, password = str(body.get("username") or ""), str(body.get("password") or "")
        domain = body.get("domain")
        if domain:
            tenant = store.tenant_by_domain(str(domain))
            if tenant and _same(tenant.admin, username) and _same(tenant.password, password):
                return Caller("Admin", tenant.id, username)
            return None
        admin, admin_password = config.system_admin
        if _same(admin, username) and _same(admin_password, password):
            return Caller("SystemAdmin", None, username)
        return None

    async def credentials(request: Request) -> Caller | Response:
        body = await _json(request)
        if not body.get("username") or "password" not in body:
            return error_document(400, "VALIDATE_FAILED", "username and password are required")
        caller = authenticate(body)
        if caller is None:
            return error_document(401, "UNAUTHORIZED", "invalid username or password")
        return caller

    async def login(request: Request) -> Response:
        caller = await credentials(request)
        if isinstance(caller, Response):
            return caller
        grant = tokens.issue(caller)
        return JSONResponse(_login_status(grant, config))

    async def sign_in(request: Request) -> Response:
        caller = await credentials(request)
        return caller if isinstance(caller, Response) else _pair(tokens.issue(caller), config)

    async def refresh(request: Request) -> Response:
        grant = tokens.refresh(str((await _json(request)).get("refresh_token") or ""))
        if grant is None:
            return error_document(401, "UNAUTHORIZED", "invalid or expired refresh token")
        return _pair(grant, config)

    authed = bearer(tokens, store)

    @authed
    async def sign_out(ctx: Ctx) -> Response:
        tokens.revoke(ctx.request.headers["authorization"].partition(" ")[2].strip())
        return ok()

    @authed
    async def login_status(ctx: Ctx) -> Response:
        return JSONResponse({"role": ctx.caller.role, "expires_in": int(config.token_ttl)})

    @authed
    async def auth_user(ctx: Ctx) -> Response:
        body = {"role": ctx.caller.role, "password_verified": True, "password_force_reset": False}
        return JSONResponse(body)

    return [
        Route("/api/login", login, methods=["POST"]),
        Route("/api/login", login_status, methods=["GET"]),
        Route("/api/auth/sign_in", sign_in, methods=["POST"]),
        Route("/api/auth/refresh_token", refresh, methods=["POST"]),
        Route("/api/auth/sign_out", sign_out, methods=["POST"]),
        Route("/api/auth/user", auth_user, methods=["GET"]),
    ]


def _same(expected: str, given: str) -> bool:
    return secrets.compare_digest(expected.encode(), given.encode())


async def _json(request: Request) -> dict[str, object]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _pair(grant: Grant, config: SandboxConfig) -> Response:
    return JSONResponse(
        {
            "token_type": "Bearer",
            "access_token": grant.access,
            "refresh_token": grant.refresh,
            "expires_in": int(config.token_ttl),
        }
    )


def _login_status(grant: Grant, config: SandboxConfig) -> dict[str, object]:
    expires = datetime.now(UTC) + timedelta(seconds=config.token_ttl)
    return {
        "access_token": grant.access,
        "expires_in": int(config.token_ttl),
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "role": grant.caller.role,
    }
