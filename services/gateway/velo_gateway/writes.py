"""Write endpoints: each validates, rate-limits and puts one command on Kafka (202 Accepted)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header

from velo_contracts import (
    AssignNumber,
    NextAvailable,
    ReassignNumber,
    ReleaseNumber,
    RequestNumber,
    SpecificNumber,
    UnassignNumber,
)
from velo_contracts.commands import NumberPick
from velo_contracts.topics import ASSIGNMENT_COMMANDS, ORDERING_COMMANDS
from velo_gateway.auth import Admin, Caller
from velo_gateway.bodies import AssignmentBody, NumberRequestBody, e164
from velo_gateway.context import Deps, Gateway
from velo_gateway.problems import Problem

router = APIRouter(prefix="/v1", tags=["commands"])
_IDEMPOTENCY = uuid.UUID("6f1c1d4e-3a52-4d0b-9a53-5d0b6c1f9e21")


def _request_id(caller: Caller, key: str | None) -> str:
    """Same tenant, user and Idempotency-Key → same request id; ordering does it once."""
    if not key:
        return str(uuid.uuid4())
    return str(uuid.uuid5(_IDEMPOTENCY, f"{caller.tenant_id}\n{caller.user_id}\n{key}"))


async def _pick(gw: Gateway, caller: Caller, body: NumberRequestBody) -> NumberPick:
    if body.offer_id:
        path = f"/v1/tenants/{caller.tenant_id}/offers/{body.offer_id}"
        offer = await gw.downstream.get("inventory", path)
        country, number_type, number = offer["country"], offer["type"], offer.get("number")
    else:
        country, number_type, number = body.country, body.type, body.number
    if number:
        return SpecificNumber(
            country=country, number_type=number_type, number=e164(number), offer_id=body.offer_id
        )
    area = offer.get("area") if body.offer_id else body.area
    return NextAvailable(
        country=country, number_type=number_type, area=area, offer_id=body.offer_id
    )


async def _owned(gw: Gateway, caller: Caller, number: str) -> str:
    """Returns the number in E.164 once it is known to be the caller's tenant's (else 404)."""
    number = e164(number)
    await gw.downstream.get("assignment", f"/v1/tenants/{caller.tenant_id}/numbers/{number}")
    return number


async def _known_request(gw: Gateway, caller: Caller, request_id: str) -> dict[str, Any] | None:
    path = f"/v1/tenants/{caller.tenant_id}/number-requests/{request_id}"
    try:
        found: dict[str, Any] = await gw.downstream.get("ordering", path)
    except Problem as problem:
        if problem.status in (404, 503):
            return None  # unknown, or ordering busy: publish again; ordering dedupes on the id
        raise
    return found


@router.post("/number-requests", status_code=202)
async def request_number(
    body: NumberRequestBody,
    caller: Admin,
    gw: Deps,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    """Asks for a number; follow it by its id (status, or the events stream)."""
    gw.limiter.take(caller.tenant_id)
    request_id = _request_id(caller, idempotency_key)
    if idempotency_key and (known := await _known_request(gw, caller, request_id)):
        return {"id": request_id, "status": known["status"]}  # a replay: same answer, no command
    pick = await _pick(gw, caller, body)
    command = RequestNumber(
        tenant_id=caller.tenant_id,
        actor=caller.actor,
        request_id=request_id,
        command_id=request_id,
        correlation_id=request_id,
        pick=pick,
    )
    await gw.send(command, ORDERING_COMMANDS)
    return {"id": request_id, "status": "requested"}


@router.put("/numbers/{number}/assignment", status_code=202)
async def assign(number: str, body: AssignmentBody, caller: Admin, gw: Deps) -> dict[str, Any]:
    """Assigns a number, or moves it to another agent when it already has one."""
    gw.limiter.take(caller.tenant_id)
    number = e164(number)
    current = await gw.downstream.get(
        "assignment", f"/v1/tenants/{caller.tenant_id}/numbers/{number}"
    )
    held_by = current.get("outbound_agent")
    ids = []
    if body.outbound_agent and held_by and held_by != body.outbound_agent:
        move = ReassignNumber(
            tenant_id=caller.tenant_id,
            actor=caller.actor,
            number=number,
            from_agent=held_by,
            to_agent=body.outbound_agent,
        )
        await gw.send(move, ASSIGNMENT_COMMANDS)
        ids.append(move.command_id)
        body = body.model_copy(update={"outbound_agent": None})
    if body.outbound_agent or body.inbound_target:
        command = AssignNumber(
            tenant_id=caller.tenant_id,
            actor=caller.actor,
            number=number,
            **body.model_dump(exclude_none=True),
        )
        await gw.send(command, ASSIGNMENT_COMMANDS)
        ids.append(command.command_id)
    return {"id": ids[0], "commands": ids, "status": "accepted"}


@router.delete("/numbers/{number}/assignment", status_code=202)
async def unassign(number: str, caller: Admin, gw: Deps) -> dict[str, Any]:
    """Detaches a number from its agent and ring target."""
    gw.limiter.take(caller.tenant_id)
    number = await _owned(gw, caller, number)
    command = UnassignNumber(tenant_id=caller.tenant_id, actor=caller.actor, number=number)
    await gw.send(command, ASSIGNMENT_COMMANDS)
    return {"id": command.command_id, "status": "accepted"}


@router.post("/numbers/{number}/release", status_code=202)
async def release(number: str, caller: Admin, gw: Deps) -> dict[str, Any]:
    """Gives a number back to DIDWW; billing stops when the release goes through."""
    gw.limiter.take(caller.tenant_id)
    number = await _owned(gw, caller, number)
    command = ReleaseNumber(tenant_id=caller.tenant_id, actor=caller.actor, number=number)
    await gw.send(command, ORDERING_COMMANDS)
    return {"id": command.command_id, "status": "accepted"}


@router.post("/reconciliation")
async def reconcile(caller: Admin, gw: Deps) -> Any:
    """Compares the tenant's DIDWW account with the Phone numbers list now (imports, drift)."""
    gw.limiter.take(caller.tenant_id)
    return await gw.downstream.post("ordering", f"/v1/tenants/{caller.tenant_id}/reconciliation")
