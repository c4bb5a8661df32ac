"""DIDWW-specific admin endpoints, outside `/v3`: accounts, callback secrets, out-of-band DIDs,
rate limit; the order ones are in `admin_orders`, the address verification ones in
`admin_regulation`."""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.didww.admin_http import error, json_body
from velo_sandbox.didww.admin_orders import order_admin_routes
from velo_sandbox.didww.admin_regulation import regulation_admin_routes
from velo_sandbox.didww.catalog import Number
from velo_sandbox.didww.runtime import Sandbox, sandbox_of


def _account_view(sandbox: Sandbox, api_key: str) -> dict[str, Any]:
    account = sandbox.state.records.accounts[api_key]
    dids = sandbox.state.dids(api_key)
    return {
        "key_hint": "…" + api_key[-4:],
        "balance": f"{account.balance:.2f}",
        "callback_secret_enabled": account.callback_secret is not None,
        "dids": len(dids),
        "active_dids": sum(1 for d in dids if not d.terminated),
    }


async def create_account(request: Request) -> Response:
    """Creates an account: `{"api_key": "...", "balance": "100.00", "callback_secret": "..."}`."""
    body = await json_body(request)
    try:
        api_key, balance = str(body["api_key"]), Decimal(str(body.get("balance", "0")))
    except (KeyError, InvalidOperation):
        return error("need api_key and a decimal balance")
    secret = body.get("callback_secret")
    if secret is not None and (not isinstance(secret, str) or not secret):
        return error("callback_secret must be a non-empty string")
    sandbox = sandbox_of(request)
    sandbox.state.add_account(api_key, balance, secret)
    return JSONResponse(_account_view(sandbox, api_key), status_code=201)


async def get_account(request: Request) -> Response:
    """Shows an account's balance and DID counts."""
    sandbox = sandbox_of(request)
    api_key = request.path_params["key"]
    if sandbox.state.account(api_key) is None:
        return error("no such account", 404)
    return JSONResponse(_account_view(sandbox, api_key))


async def set_balance(request: Request) -> Response:
    """Sets an account's balance: `{"balance": "0.50"}`."""
    sandbox = sandbox_of(request)
    account = sandbox.state.account(request.path_params["key"])
    if account is None:
        return error("no such account", 404)
    account.balance = Decimal(str((await json_body(request))["balance"]))
    return JSONResponse(_account_view(sandbox, account.api_key))


async def set_callback_secret(request: Request) -> Response:
    """Enables a callback secret (`{"secret": "..."}`), replacing the one enabled before."""
    sandbox = sandbox_of(request)
    account = sandbox.state.account(request.path_params["key"])
    if account is None:
        return error("no such account", 404)
    secret = (await json_body(request)).get("secret")
    if not isinstance(secret, str) or not secret:
        return error("need a non-empty secret")
    account.callback_secret = secret
    return JSONResponse(_account_view(sandbox, account.api_key))


async def clear_callback_secret(request: Request) -> Response:
    """Disables the account's callback secret: DIDWW then sends it no callbacks."""
    sandbox = sandbox_of(request)
    account = sandbox.state.account(request.path_params["key"])
    if account is None:
        return error("no such account", 404)
    account.callback_secret = None
    return JSONResponse(_account_view(sandbox, account.api_key))


async def deliver_did(request: Request) -> Response:
    """Delivers a DID without an order: `{"number": ...}` or `{"did_group_id": ...}`."""
    sandbox = sandbox_of(request)
    api_key = request.path_params["key"]
    if sandbox.state.account(api_key) is None:
        return error("no such account", 404)
    number = _free_number(sandbox, await json_body(request))
    if number is None:
        return error("no such free number", 409)
    did = sandbox.state.deliver(api_key, number, order_id=None)
    return JSONResponse(
        {"id": did.id, "number": did.number, "did_group_id": did.group_id}, status_code=201
    )


def _free_number(sandbox: Sandbox, body: dict[str, Any]) -> Number | None:
    state = sandbox.state
    if "number" in body:
        number = state.catalog.number_by_digits.get(str(body["number"]).lstrip("+"))
        return number if number is not None and state.is_available(number) else None
    group_id = body.get("did_group_id")
    if group_id not in state.catalog.numbers_by_group:
        return None
    return next(iter(state.free_numbers(group_id)), None)


async def set_rate_limit(request: Request) -> Response:
    """Sets `rps` (null disables the limit) and/or a burst of `burst_429` refusals."""
    limits = sandbox_of(request).limits
    body = await json_body(request)
    if "rps" in body:
        limits.rps = body["rps"]
    limits.burst_429 = int(body.get("burst_429", limits.burst_429))
    limits.retry_after = int(body.get("retry_after", limits.retry_after))
    return JSONResponse(
        {"rps": limits.rps, "burst_429": limits.burst_429, "refused": limits.refused}
    )


async def rate_limit_counters(request: Request) -> Response:
    """Counts per key (by a hash prefix, never the key): served, peak per second, 429s."""
    limits = sandbox_of(request).limits
    keys = set(limits.served) | set(limits.refused_by_key)
    return JSONResponse(
        {
            "rps": limits.rps,
            "refused": limits.refused,
            "keys": {
                hashlib.sha256(key.encode()).hexdigest()[:12]: {
                    "served": limits.served[key],
                    "peak_per_second": limits.peak[key],
                    "refused": limits.refused_by_key[key],
                }
                for key in sorted(keys)
            },
        }
    )


def didww_admin_routes(base: str = "/_admin") -> list[Route]:
    """Returns the DIDWW-specific admin routes."""
    return [
        Route(f"{base}/accounts", create_account, methods=["POST"]),
        Route(f"{base}/accounts/{{key}}", get_account, methods=["GET"]),
        Route(f"{base}/accounts/{{key}}", set_balance, methods=["PATCH"]),
        Route(f"{base}/accounts/{{key}}/dids", deliver_did, methods=["POST"]),
        Route(f"{base}/accounts/{{key}}/callback_secret", set_callback_secret, methods=["PUT"]),
        Route(
            f"{base}/accounts/{{key}}/callback_secret", clear_callback_secret, methods=["DELETE"]
        ),
        Route(f"{base}/rate_limit", set_rate_limit, methods=["POST"]),
        Route(f"{base}/counters/rate_limit", rate_limit_counters, methods=["GET"]),
        *order_admin_routes(base),
        *regulation_admin_routes(base),
    ]
