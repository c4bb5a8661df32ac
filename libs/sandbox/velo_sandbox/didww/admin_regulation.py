"""DIDWW admin endpoints for address verifications, outside `/v3`: list them, approve or reject
a pending one (as DIDWW's reviewers do), switch automatic review, and the callbacks sent."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.didww.admin_http import error, json_body
from velo_sandbox.didww.regulation_records import AddressVerification
from velo_sandbox.didww.runtime import Sandbox, sandbox_of


def _view(sandbox: Sandbox, v: AddressVerification) -> dict[str, Any]:
    dids = sandbox.state.records.dids
    return {
        "id": v.id,
        "reference": v.reference,
        "status": v.status,
        "key_hint": "…" + v.api_key[-4:],
        "did_ids": v.did_ids,
        "numbers": [dids[i].number for i in v.did_ids if i in dids],
        "reject_reasons": v.reject_reasons,
        "reject_comment": v.reject_comment,
    }


async def list_verifications(request: Request) -> Response:
    """Lists every account's verifications, e.g. `?status=pending`."""
    sandbox = sandbox_of(request)
    status = request.query_params.get("status")
    found = sandbox.state.records.regulation.verifications.values()
    return JSONResponse([_view(sandbox, v) for v in found if status in (None, v.status)])


def _pending(sandbox: Sandbox, ident: str) -> AddressVerification | Response:
    found = sandbox.state.records.regulation.verifications.get(ident)
    if found is None:
        return error("no such address verification", 404)
    if found.status != "pending":
        return error(f"address verification is {found.status}", 409)
    return found


async def approve(request: Request) -> Response:
    """Approves a pending verification: its DIDs carry traffic; the callback is sent."""
    sandbox = sandbox_of(request)
    found = _pending(sandbox, request.path_params["id"])
    if isinstance(found, Response):
        return found
    await sandbox.review.approve(found)
    return JSONResponse(_view(sandbox, found))


async def reject(request: Request) -> Response:
    """Rejects a pending verification: `{"reject_reasons": [...], "reject_comment": "..."}`."""
    sandbox = sandbox_of(request)
    body = await json_body(request)
    reasons, comment = body.get("reject_reasons"), body.get("reject_comment")
    if not isinstance(reasons, list) or not reasons or not all(isinstance(r, str) for r in reasons):
        return error("reject_reasons must be a non-empty list of strings")
    if comment is not None and not isinstance(comment, str):
        return error("reject_comment must be a string")
    found = _pending(sandbox, request.path_params["id"])
    if isinstance(found, Response):
        return found
    await sandbox.review.reject(found, reasons, comment)
    return JSONResponse(_view(sandbox, found))


async def get_auto_review(request: Request) -> Response:
    """Shows the automatic review delay (null: reviews wait for an admin)."""
    return JSONResponse({"delay": sandbox_of(request).review.delay})


async def set_auto_review(request: Request) -> Response:
    """Sets automatic review: `{"delay": 2.0}` reviews after 2 s, `{"delay": null}` stops it."""
    review = sandbox_of(request).review
    delay = (await json_body(request)).get("delay")
    if delay is not None and (
        isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0
    ):
        return error("delay must be a non-negative number of seconds or null")
    review.automatic(None if delay is None else float(delay))
    return JSONResponse({"delay": review.delay})


async def counters(request: Request) -> Response:
    """Lists the verification callbacks sent and withheld."""
    review = sandbox_of(request).review
    return JSONResponse(
        {"callbacks": [vars(d) for d in review.deliveries], "callbacks_withheld": review.withheld}
    )


def regulation_admin_routes(base: str) -> list[Route]:
    """Returns the address verification admin routes."""
    path = f"{base}/address_verifications"
    return [
        Route(path, list_verifications, methods=["GET"]),
        Route(f"{path}/auto_review", get_auto_review, methods=["GET"]),
        Route(f"{path}/auto_review", set_auto_review, methods=["PUT"]),
        Route(f"{path}/{{id}}/approve", approve, methods=["POST"]),
        Route(f"{path}/{{id}}/reject", reject, methods=["POST"]),
        Route(f"{base}/counters/address_verifications", counters, methods=["GET"]),
    ]
