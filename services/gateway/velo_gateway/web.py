"""The Phone numbers page, served by the gateway itself on the same `/v1` API every client uses.

Every asset is a file of this package: no CDN, no build step, nothing fetched at run time. In
development (`make run` sets `VELO_GATEWAY_DEV_TENANTS`) a sign-in mints demo tokens the way
`velo dev token` does; in production the page takes the host application's bearer token.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from velo_contracts import Role, tokens
from velo_contracts.tenants import TENANT_ID_PATTERN
from velo_gateway.problems import Problem
from velo_gateway.settings import GatewaySettings

PAGE = Path(__file__).parent / "web"
TOKEN_HOURS = 8
router = APIRouter(tags=["page"])


class DevSignIn(BaseModel):
    """Who to sign in as on `make run`'s system."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: str = Field(pattern=TENANT_ID_PATTERN, description="A demo tenant, e.g. `acme`.")
    user_id: str = Field(min_length=1, max_length=120, description="The token's `sub`.")
    role: Literal["admin", "agent"] = Field(description="admin or agent.")


def install(app: FastAPI) -> None:
    """Serves the page at `/` and its assets under `/ui/`."""
    app.include_router(router)
    app.mount("/ui", StaticFiles(directory=PAGE), name="page")


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(PAGE / "index.html", headers={"Cache-Control": "no-cache"})


def _dev_tenants(request: Request) -> list[str]:
    settings: GatewaySettings = request.app.state.settings
    if not settings.dev_tenants or not settings.jwt_secret.get_secret_value():
        detail = "development sign-in is off here: sign in with your host application's token"
        raise Problem(404, "Not found", detail)
    return settings.dev_tenants


@router.get("/dev/sign-in")
async def dev_sign_in(request: Request) -> dict[str, Any]:
    """Development only: the demo tenants and roles the page's sign-in offers (404 when off)."""
    return {"tenants": _dev_tenants(request), "roles": [Role.ADMIN, Role.AGENT]}


@router.post("/dev/token")
async def dev_token(body: DevSignIn, request: Request) -> dict[str, Any]:
    """Development only: a token for a demo tenant's user, as `velo dev token` mints it."""
    tenants = _dev_tenants(request)
    if body.tenant_id not in tenants:
        detail = f"tenant_id: {body.tenant_id!r} is not a demo tenant (demo: {', '.join(tenants)})"
        raise Problem(422, "Unknown tenant", detail, field="tenant_id")
    secret = request.app.state.settings.jwt_secret.get_secret_value()
    token = tokens.mint(secret, body.tenant_id, body.user_id, body.role, TOKEN_HOURS)
    return {"token": token, "expires_at": int(time.time()) + TOKEN_HOURS * 3600}
