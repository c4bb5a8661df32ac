"""`/api/login`, `/api/auth/*`: tenant admins log in with their SIP domain, SystemAdmin without."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.portsip.answers import flag_param, ok
from velo_sandbox.portsip.bodies import auth as bodies
from velo_sandbox.portsip.config import SandboxConfig
from velo_sandbox.portsip.errors import ApiError
from velo_sandbox.portsip.http import Ctx, bearer, read_body, render
from velo_sandbox.portsip.store import Store, Tenant
from velo_sandbox.portsip.tokens import Caller, Grant, Tokens


def auth_routes(store: Store, tokens: Tokens, config: SandboxConfig) -> list[Route]:
    """Returns the login, token and session routes."""

    def authenticate(username: str, password: str, domain: str | None) -> Caller:
        if domain:
            tenant = store.tenant_by_domain(domain)
            if tenant and _admits(tenant, username, password):
                return Caller("Admin", tenant.id, username)
        else:
            admin, admin_password = config.system_admin
            if _same(admin, username) and _same(admin_password, password):
                return Caller("SystemAdmin", None, username)
        raise ApiError(401, "invalid username or password")

    async def credentials(request: Request) -> Caller:
        body = await read_body(request, bodies.CREDENTIALS)
        return authenticate(body["username"], body["password"], body.get("domain"))

    async def login(request: Request) -> Response:
        try:
            grant = tokens.issue(await credentials(request))
        except ApiError as exc:
            return render(exc)
        return JSONResponse(_login_status(grant, config))

    async def sign_in(request: Request) -> Response:
        try:
            flag_param(request, "qr")  # a QR code for the mobile app: nothing to show here
            return _pair(tokens.issue(await credentials(request)), config)
        except ApiError as exc:
            return render(exc)

    async def refresh(request: Request) -> Response:
        try:
            body = await read_body(request, bodies.REFRESH)
        except ApiError as exc:
            return render(exc)
        grant = tokens.refresh(body["refresh_token"])
        if grant is None:
            return render(ApiError(401, "invalid or expired refresh token"))
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


def _admits(tenant: Tenant, username: str, password: str) -> bool:
    """Tells whether the login is the tenant's seeded admin or one of its users in role Admin."""
    if tenant.admin and _same(tenant.admin, username) and _same(tenant.password, password):
        return True
    return any(
        user.get("role") == "Admin"
        and _same(str(user["name"]), username)
        and _same(str(user.get("password", "")), password)
        for user in tenant.users.values()
    )


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
