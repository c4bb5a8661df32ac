"""Write endpoints: each validates, rate-limits and puts one command on Kafka (202 Accepted)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from velo_contracts import (
    AssignNumber,
    ErrorCode,
    KycFiling,
    NextAvailable,
    ReassignNumber,
    ReleaseNumber,
    RequestNumber,
    SpecificNumber,
    UnassignNumber,
)
from velo_contracts import reads as shapes
from velo_contracts.commands import NumberPick
from velo_contracts.topics import ASSIGNMENT_COMMANDS, ORDERING_COMMANDS
from velo_gateway import bulk, checks, kyc, problems
from velo_gateway.auth import Admin, Caller
from velo_gateway.bodies import AssignmentBody, NumberRequestBody, e164, safe_id
from velo_gateway.context import Deps, Gateway
from velo_gateway.problems import Problem

router = APIRouter(
    prefix="/v1",
    tags=["commands"],
    responses=problems.documented(400, 401, 403, 404, 409, 422, 429, 503),
)
_IDEMPOTENCY = uuid.UUID("6f1c1d4e-3a52-4d0b-9a53-5d0b6c1f9e21")


def _request_id(caller: Caller, key: str | None) -> str:
    """Same tenant, user and Idempotency-Key → same request id; ordering does it once."""
    if not key:
        return str(uuid.uuid4())
    return str(uuid.uuid5(_IDEMPOTENCY, f"{caller.tenant_id}\n{caller.user_id}\n{key}"))


async def _pick(gw: Gateway, caller: Caller, body: NumberRequestBody) -> NumberPick:
    if body.offer_id:
        path = f"/v1/tenants/{caller.tenant_id}/offers/{safe_id(body.offer_id, 'offer')}"
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


async def _registration_checked(
    gw: Gateway, caller: Caller, body: NumberRequestBody, pick: NumberPick, filing: KycFiling
) -> None:
    """Runs DIDWW's dry run of the pick's requirement on the identity and address before the
    request is accepted: what is missing is answered at once (422), and nothing is bought."""
    offer: dict[str, Any] | None = None
    if body.offer_id:
        path = f"/v1/tenants/{caller.tenant_id}/offers/{safe_id(body.offer_id, 'offer')}"
        offer = await gw.downstream.get("inventory", path)
    elif isinstance(pick, SpecificNumber):
        params = {"country": pick.country, "type": pick.number_type.value}
        params["contains"] = pick.number.removeprefix("+")
        found = await gw.downstream.get(
            "inventory", f"/v1/tenants/{caller.tenant_id}/inventory", params
        )
        offer = next((i for i in found.get("items", []) if i["number"] == pick.number), None)
    if offer is None:
        return  # a next-available pick: ordering runs the same dry run before it orders
    requirement = offer.get("requirement") or {}
    if not offer.get("kyc_required"):
        detail = "identity_id: this number needs no registration; request it without one"
        raise Problem(422, "No registration needed", detail, field="identity_id")
    if requirement.get("requirement_id"):
        await kyc.check_filing(gw, caller, requirement["requirement_id"], filing)


async def _known_request(gw: Gateway, caller: Caller, request_id: str) -> dict[str, Any] | None:
    path = f"/v1/tenants/{caller.tenant_id}/number-requests/{request_id}"
    try:
        found: dict[str, Any] = await gw.downstream.get("ordering", path)
    except Problem as problem:
        if problem.status in (404, 503):
            return None  # unknown, or ordering busy: publish again; ordering dedupes on the id
        raise
    return found


def _same_body(known: dict[str, Any], body: NumberRequestBody) -> bool:
    """Tells whether a replayed body asks for what the request under its key asked for."""
    if "pick" not in known:
        return False  # the key was used for a bulk
    pick = known["pick"]
    if body.offer_id or pick.get("offer_id"):
        return bool(body.offer_id == pick.get("offer_id"))
    asked = (body.country, body.type, e164(body.number) if body.number else None, body.area)
    return bool(
        asked == (pick["country"], pick["number_type"], pick.get("number"), pick.get("area"))
    )


def _reused(key: str) -> Problem:
    detail = (
        f"Idempotency-Key {key!r} was used for a different request; use a new key for a new request"
    )
    return Problem(422, "Idempotency-Key reused", detail, ErrorCode.IDEMPOTENCY_KEY_REUSED)


def _accepted(response: Response, location: str, body: dict[str, Any]) -> dict[str, Any]:
    response.headers["Location"] = location
    return body


@router.post("/number-requests", status_code=202, responses=problems.answers(shapes.Accepted, 202))
async def request_number(
    body: NumberRequestBody,
    caller: Admin,
    gw: Deps,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    """Asks for a number, or for many at once (a bulk: `quantity` or `numbers`, priced in the
    answer, guarded by `max_monthly_total`); follow it at `Location` or on the events stream."""
    gw.limiter.take(caller.tenant_id)  # a bulk is one write too: see velo_gateway.bulk
    request_id = _request_id(caller, idempotency_key)
    location = f"/v1/number-requests/{request_id}"
    known = await _known_request(gw, caller, request_id) if idempotency_key else None
    if body.is_bulk:
        bulk_answer = await bulk.request_numbers(gw, caller, body, request_id, known)
        return _accepted(response, bulk.location(request_id), bulk_answer)
    if known is not None:
        if not _same_body(known, body):
            raise _reused(str(idempotency_key))
        return _accepted(response, location, {"id": request_id, "status": known["status"]})
    pick = await _pick(gw, caller, body)
    answer: dict[str, Any] = {"id": request_id, "status": "requested"}
    if isinstance(pick, SpecificNumber):
        await checks.must_be_of_country(gw, caller, pick)
        row = await checks.number_row(gw, caller, pick.number, strict=False)
        checks.must_not_hold(row, pick.number)
        await checks.must_be_offered(gw, caller, pick)
        if row is not None:  # released before: callers may still know it
            answer["held_before"] = row.get("periods", [])
    if body.kyc is not None:
        await _registration_checked(gw, caller, body, pick, body.kyc)
    command = RequestNumber(
        tenant_id=caller.tenant_id,
        actor=caller.actor,
        request_id=request_id,
        command_id=request_id,
        correlation_id=request_id,
        pick=pick,
        kyc=body.kyc,
    )
    await gw.send(command, ORDERING_COMMANDS)
    return _accepted(response, location, answer)


@router.put(
    "/numbers/{number}/assignment",
    status_code=202,
    responses=problems.answers(shapes.Accepted, 202),
)
async def assign(
    number: str, body: AssignmentBody, caller: Admin, gw: Deps, response: Response
) -> dict[str, Any]:
    """Assigns a number, or moves it to another agent when it already has one."""
    number = e164(number)
    gw.limiter.take(caller.tenant_id)
    current = checks.must_be_active(await checks.number_row(gw, caller, number), number, "assigned")
    await checks.must_be_in_directory(gw, caller, body)
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
    answer = {"id": ids[0], "commands": ids, "status": "accepted"}
    return _accepted(response, f"/v1/numbers/{number}", answer)


@router.delete(
    "/numbers/{number}/assignment",
    status_code=202,
    responses=problems.answers(shapes.Accepted, 202),
)
async def unassign(number: str, caller: Admin, gw: Deps, response: Response) -> dict[str, Any]:
    """Detaches a number from its agent and ring target."""
    number = e164(number)
    gw.limiter.take(caller.tenant_id)
    checks.must_be_active(await checks.number_row(gw, caller, number), number, "unassigned")
    command = UnassignNumber(tenant_id=caller.tenant_id, actor=caller.actor, number=number)
    await gw.send(command, ASSIGNMENT_COMMANDS)
    answer = {"id": command.command_id, "status": "accepted"}
    return _accepted(response, f"/v1/numbers/{number}", answer)


@router.post(
    "/numbers/{number}/release", status_code=202, responses=problems.answers(shapes.Accepted, 202)
)
async def release(
    number: str,
    caller: Admin,
    gw: Deps,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    """Gives a number back to DIDWW; billing stops when the release goes through."""
    number = e164(number)
    gw.limiter.take(caller.tenant_id)
    key = f"release\n{number}\n{idempotency_key}" if idempotency_key else None
    command_id = _request_id(caller, key)
    location = f"/v1/numbers/{number}"
    answer = {"id": command_id, "status": "accepted"}
    row = await checks.number_row(gw, caller, number)
    if idempotency_key and row and _released_by(row, command_id):
        return _accepted(response, location, answer)  # a replay: the first answer again
    checks.must_be_active(row, number, "released", also=("registering",))  # at any point
    command = ReleaseNumber(
        tenant_id=caller.tenant_id,
        actor=caller.actor,
        number=number,
        command_id=command_id,
        message_id=command_id,
    )
    await gw.send(command, ORDERING_COMMANDS)
    return _accepted(response, location, answer)


def _released_by(row: dict[str, Any], command_id: str) -> bool:
    return any(
        entry["event"] == "NumberReleased" and entry.get("causation_id") == command_id
        for entry in row.get("history", [])
    )


@router.post("/reconciliation")
async def reconcile(caller: Admin, gw: Deps) -> Any:
    """Compares the tenant's DIDWW account with the Phone numbers list now (imports, drift)."""
    gw.limiter.take(caller.tenant_id)
    return await gw.downstream.post("ordering", f"/v1/tenants/{caller.tenant_id}/reconciliation")
