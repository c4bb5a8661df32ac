"""The running sandbox: configuration, state, limits and the helpers every route uses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww.clock import Clock, SystemClock
from velo_sandbox.didww.errors import ApiError, unauthorized
from velo_sandbox.didww.fulfilment import Fulfilment
from velo_sandbox.didww.limits import KeyRateLimit
from velo_sandbox.didww.review import Review
from velo_sandbox.didww.state import SandboxState
from velo_sandbox.faults import FaultState

MEDIA_TYPE = "application/vnd.api+json"
ACME_API_KEY = "sandbox-acme-key"
ACME_CALLBACK_SECRET = "sandbox-acme-callback-secret"  # noqa: S105 - a public demo value
GLOBEX_API_KEY = "sandbox-globex-key"
GLOBEX_CALLBACK_SECRET = "sandbox-globex-callback-secret"  # noqa: S105 - a public demo value
DEMO_ACCOUNTS = {ACME_API_KEY: Decimal("500.00"), GLOBEX_API_KEY: Decimal("500.00")}
DEMO_CALLBACK_SECRETS = {ACME_API_KEY: ACME_CALLBACK_SECRET, GLOBEX_API_KEY: GLOBEX_CALLBACK_SECRET}
"""The callback secret each demo account has enabled (DIDWW signs callbacks with it)."""


@dataclass
class SandboxConfig:
    """How to start the DIDWW sandbox."""

    accounts: dict[str, Decimal] = field(default_factory=lambda: dict(DEMO_ACCOUNTS))
    callback_secrets: dict[str, str] = field(default_factory=lambda: dict(DEMO_CALLBACK_SECRETS))
    """Callback secret per API key; an account without one gets no callbacks."""
    order_delay: float = 3.0
    seed: int = 2026
    state_file: Path | None = None
    rate_limit: float | None = 20.0
    stock_per_group: int = 30
    clock: Clock = field(default_factory=SystemClock)
    review_delay: float | None = None
    """Seconds before an address verification is reviewed automatically (None: by an admin
    call); see `verifications` for the rule."""


@dataclass
class Sandbox:
    """What the routes of one sandbox app share."""

    state: SandboxState
    limits: KeyRateLimit
    fulfilment: Fulfilment
    faults: FaultState
    review: Review


def sandbox_of(request: Request) -> Sandbox:
    """Returns the sandbox serving request."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def caller(request: Request) -> tuple[Sandbox, str]:
    """Authenticates and rate-limits request; returns the sandbox and the caller's API key."""
    sandbox = sandbox_of(request)
    api_key = request.headers.get("api-key", "")
    if sandbox.state.account(api_key) is None:
        raise unauthorized()
    sandbox.limits.check(api_key)
    return sandbox, api_key


def jsonapi(doc: dict[str, Any] | None, status: int = 200) -> Response:
    """Returns a JSON:API response (an empty 204 when doc is None)."""
    if doc is None:
        return Response(status_code=204)
    return Response(json.dumps(doc), status_code=status, media_type=MEDIA_TYPE)


async def on_api_error(request: Request, exc: Exception) -> Response:
    """Renders an ApiError as DIDWW's error document."""
    assert isinstance(exc, ApiError)
    response = jsonapi(exc.document(), exc.status)
    response.headers.update(exc.headers)
    return response
