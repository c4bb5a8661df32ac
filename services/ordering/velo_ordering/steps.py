"""The steps of a request at DIDWW; each is safe to repeat after a crash at any point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from velo_contracts import (
    ErrorCode,
    NextAvailable,
    NumberApproved,
    NumberAwaitingRegistration,
    NumberFacts,
    NumberOrdered,
    RequestNumber,
    SpecificNumber,
)
from velo_contracts.envelope import utc_now
from velo_contracts.tenants import TenantConfigured
from velo_didww import (
    Did,
    DidGroup,
    DidOrderItem,
    DidwwClient,
    InsufficientFunds,
    NotFound,
    Order,
    RequirementNotMet,
    ValidationFailed,
)
from velo_offers import e164, kyc_requirement, number_facts, number_type_of
from velo_ordering.domain import Progress, Refusal, Status, Step, kyc_detail, step_after_check
from velo_ordering.known import Known

Document = dict[str, Any]


@dataclass(frozen=True)
class StepContext:
    """What a step works with: the request, its tenant, DIDWW, and the timing settings."""

    command: RequestNumber
    document: Document
    didww: DidwwClient
    tenant: TenantConfigured
    callback_url: str | None
    poll_interval: float
    known: Known


async def check(ctx: StepContext) -> Progress:
    """Re-checks the pick live at DIDWW: still there, the type asked for, and, for a regulated
    number, documents that DIDWW's dry run accepts (nothing is bought before)."""
    pick = ctx.command.pick
    country = await ctx.known.country(ctx.command.tenant_id, ctx.didww, pick.country)
    if country is None:
        raise Refusal(ErrorCode.INVALID, f"DIDWW has no numbers in {pick.country}.")
    if isinstance(pick, SpecificNumber):
        group, fields = await _check_specific(ctx.didww, pick, country.id)
    else:
        back_ordering = ctx.tenant.didww.allow_back_ordering
        group, fields = await _check_group(ctx.didww, pick, country.id, back_ordering)
    fields |= await _registration_gate(ctx, group)
    return Progress(step_after_check(ctx.command), fields)


async def _registration_gate(ctx: StepContext, group: DidGroup) -> Document:
    """Lets a regulated number through only for an in-app KYC tenant whose request names an
    identity and address DIDWW's dry run accepts; V1 tenants are told what to file at DIDWW."""
    requirement = kyc_requirement(group)
    if requirement is None:
        return {}
    in_app, filing = ctx.tenant.didww.in_app_kyc, ctx.command.kyc
    if not in_app or filing is None:
        raise Refusal(ErrorCode.KYC_REQUIRED, kyc_detail(requirement, in_app), requirement)
    if requirement.requirement_id:
        try:
            await ctx.didww.validate_address_requirement(
                requirement.requirement_id,
                identity_id=filing.identity_id,
                address_id=filing.address_id,
            )
        except RequirementNotMet as exc:
            detail = f"DIDWW's check of the identity and address: {missing_items(exc)}"
            raise Refusal(ErrorCode.KYC_INCOMPLETE, detail, requirement) from None
    return {"kyc": filing.model_dump(mode="json"), "requirement_id": requirement.requirement_id}


def missing_items(exc: RequirementNotMet) -> str:
    """Says what DIDWW found missing, field by field (`identity.birth_date: …`)."""
    items = [
        f"{'.'.join(part for part in (p.entity, p.field) if part)}: {p.detail}"
        if p.field
        else p.detail
        for p in exc.problems
    ]
    return "; ".join(items) or exc.detail


async def _check_specific(
    didww: DidwwClient, pick: SpecificNumber, country_id: str
) -> tuple[DidGroup, Document]:
    digits = pick.number.lstrip("+")
    found = await didww.list_available_dids({"country.id": country_id, "number_contains": digits})
    match = next((d for d in found if d.number == digits and d.did_group), None)
    if match is None or match.did_group is None:
        raise Refusal(ErrorCode.UNAVAILABLE, f"{pick.number} is no longer available at DIDWW.")
    _refuse_unfit(match.did_group, pick)
    return match.did_group, _group_fields(match.did_group) | {"available_did_id": match.id}


async def _check_group(
    didww: DidwwClient, pick: NextAvailable, country_id: str, back_ordering: bool
) -> tuple[DidGroup, Document]:
    if pick.offer_id:
        try:
            groups = [await didww.get_did_group(pick.offer_id)]
        except NotFound:
            raise Refusal(ErrorCode.INVALID, "The offer does not exist at DIDWW.") from None
    else:
        groups = await didww.list_did_groups({"country.id": country_id})
    fitting = [g for g in groups if _fits(g, pick)]
    if not fitting:
        where = f"{pick.area}, {pick.country}" if pick.area else pick.country
        raise Refusal(
            ErrorCode.NOT_OFFERED, f"DIDWW offers no {pick.number_type} numbers in {where}."
        )
    group = _preferred(fitting)
    _refuse_unfit(group, pick)
    if not group.is_available and not back_ordering:
        raise Refusal(ErrorCode.UNAVAILABLE, f"DIDWW has no {group.area_name} numbers in stock.")
    return group, _group_fields(group)


def _preferred(fitting: list[DidGroup]) -> DidGroup:
    """Picks a group in stock that needs no documents, else one in stock, else the first."""
    in_stock = [g for g in fitting if g.is_available]
    return next((g for g in in_stock if kyc_requirement(g) is None), (in_stock or fitting)[0])


def _fits(group: DidGroup, pick: NextAvailable) -> bool:
    same_area = pick.area is None or group.area_name.casefold() == pick.area.casefold()
    in_country = group.country is None or group.country.iso == pick.country
    return same_area and in_country and number_type_of(group) == pick.number_type


def _refuse_unfit(group: DidGroup, pick: SpecificNumber | NextAvailable) -> None:
    if number_type_of(group) != pick.number_type:
        raise Refusal(ErrorCode.INVALID, f"The pick is not a {pick.number_type} number.")


def _group_fields(group: DidGroup) -> Document:
    if not group.stock_keeping_units:
        raise Refusal(ErrorCode.NOT_OFFERED, f"DIDWW sells no plan for {group.area_name}.")
    facts = number_facts(group)
    return {
        "group_id": group.id,
        "sku_id": group.stock_keeping_units[0].id,
        "facts": facts.model_dump(mode="json"),
    }


def attempts_field(step: Step) -> str:
    """Names the document field counting a step's attempts at DIDWW, made before each one."""
    return f"{step}_attempts"


def first_attempt(ctx: StepContext, step: Step) -> bool:
    """Tells whether this is the step's first attempt: then nothing of it can exist at DIDWW
    and the lookup for a leftover of an earlier attempt (a crash may have come between DIDWW's
    answer and our save) is spared. A request stored before attempts were counted always looks."""
    attempts = ctx.document.get(attempts_field(step))
    return attempts is not None and int(attempts) <= 1


async def reserve(ctx: StepContext) -> Progress:
    """Holds the specific number (finding this request's own hold after a crash)."""
    key = ctx.command.request_id
    first = first_attempt(ctx, Step.RESERVE)
    held = [] if first else await ctx.didww.list_did_reservations({"description": key})
    if held:
        return Progress(Step.ORDER, {"reservation_id": held[0].id})
    try:
        reservation = await ctx.didww.create_did_reservation(ctx.document["available_did_id"], key)
    except ValidationFailed:
        number = ctx.document.get("number")
        raise Refusal(ErrorCode.UNAVAILABLE, f"{number} was just taken by someone else.") from None
    return Progress(Step.ORDER, {"reservation_id": reservation.id})


async def order(ctx: StepContext) -> Progress:
    """Places the one order of this request, unless DIDWW already has it (see first_attempt)."""
    key = ctx.command.request_id
    first = first_attempt(ctx, Step.ORDER)
    existing = [] if first else await ctx.didww.list_orders({"external_reference_id": key})
    try:
        placed = existing[0] if existing else await _place(ctx)
    except SoldOut:  # another request took the group's last number: look for another group
        return Progress(Step.CHECK, {"rechecks": int(ctx.document.get("rechecks", 0)) + 1})
    event = NumberOrdered.caused_by(
        ctx.command,
        request_id=key,
        number=ctx.document.get("number"),
        didww_order_id=placed.id,
        order_reference=placed.reference,
        amount=placed.amount,
    )
    fields = {"order": _order_fields(placed), "ordered_at": utc_now()}
    # DIDWW's callback (or the poll) tells when a pending order is done: no read right after
    wait = ctx.poll_interval if placed.status == "pending" else None
    return Progress(Step.AWAIT, fields, (event,), Status.ORDERING, wait_seconds=wait)


async def _place(ctx: StepContext) -> Order:
    sku, reservation = ctx.document["sku_id"], ctx.document.get("reservation_id")
    item = (
        DidOrderItem(sku_id=sku, did_reservation_id=reservation)
        if reservation
        else DidOrderItem(sku_id=sku, qty=1)
    )
    try:
        return await ctx.didww.create_order(
            [item],
            external_reference_id=ctx.command.request_id,
            callback_url=ctx.callback_url,
            allow_back_ordering=_may_back_order(ctx),
        )
    except InsufficientFunds:
        raise Refusal(
            ErrorCode.INSUFFICIENT_FUNDS, "The DIDWW balance does not cover the order; top it up."
        ) from None
    except ValidationFailed as exc:
        if _may_look_again(ctx, exc):
            raise SoldOut from None
        raise _order_refusal(exc) from None


def _may_back_order(ctx: StepContext) -> bool:
    """Said on every order (DIDWW back-orders by default): a picked number never is; a next
    available one only when the tenant allows it. A back-order stays pending — charged — until
    DIDWW has stock, and the request says so like any slow order (the stuck alert)."""
    pick = ctx.command.pick
    return isinstance(pick, NextAvailable) and ctx.tenant.didww.allow_back_ordering


class SoldOut(Exception):
    """The group chosen at the check ran out before the order (next available, any group)."""


MAX_RECHECKS = 3
"""How often a next-available request of no fixed offer looks for another group in stock."""


def _may_look_again(ctx: StepContext, exc: ValidationFailed) -> bool:
    """Only a next-available pick free to take any fitting group looks again, a few times: a
    group that runs out while many requests (a bulk) order from it is no reason to give up; an
    empty country or area is (the check then refuses it as unavailable)."""
    pick = ctx.command.pick
    sold_out = "qty" in (exc.pointer or "")
    free = isinstance(pick, NextAvailable) and pick.offer_id is None
    return sold_out and free and int(ctx.document.get("rechecks", 0)) < MAX_RECHECKS


def _order_refusal(exc: ValidationFailed) -> Refusal:
    pointer = exc.pointer or ""
    if any(part in pointer for part in ("qty", "did_reservation_id", "available_did_id")):
        return Refusal(ErrorCode.UNAVAILABLE, "The number was taken or its hold expired.")
    return Refusal(ErrorCode.INVALID, f"DIDWW refused the order: {exc.detail}")


def _order_fields(placed: Order) -> Document:
    return {
        "id": placed.id,
        "reference": placed.reference,
        "amount": str(placed.amount),
        "status": placed.status,
    }


async def await_order(ctx: StepContext) -> Progress:
    """Reads the order: still pending (poll again), canceled, or completed."""
    placed = await ctx.didww.get_order(ctx.document["order"]["id"])
    fields = {"order": ctx.document["order"] | {"status": placed.status}}  # the whole field:
    # the state is written as one document, where a dotted key is no path but an illegal name
    if placed.status == "canceled":
        detail = f"DIDWW canceled order {placed.reference}; it was refunded."
        raise Refusal(ErrorCode.ORDER_CANCELED, detail)
    if placed.status == "pending":
        return Progress(Step.AWAIT, fields, wait_seconds=ctx.poll_interval)
    return Progress(Step.DELIVER, fields)


async def deliver(ctx: StepContext) -> Progress:
    """Finds the delivered DID and points it at the tenant's trunk; announces the number, or,
    for a regulated one (billed, no traffic yet), files its registration next."""
    order_doc = ctx.document["order"]
    dids = await ctx.didww.list_dids({"order.id": order_doc["id"]})
    if not dids:
        return Progress(Step.DELIVER, wait_seconds=ctx.poll_interval)
    did = dids[0]
    await _point_at_trunk(ctx, did)
    number = e164(did.number)
    if did.awaiting_registration and ctx.document.get("kyc"):
        awaiting = NumberAwaitingRegistration.caused_by(
            ctx.command,
            request_id=ctx.command.request_id,
            number=number,
            didww_did_id=did.id,
            didww_order_id=order_doc["id"],
            order_reference=order_doc["reference"],
            amount=Decimal(order_doc["amount"]),
            facts=NumberFacts.model_validate(ctx.document["facts"]),
        )
        fields = {"did_id": did.id, "number": number, "registration_round": 1}
        fields |= {attempts_field(Step.REGISTER): 0}
        return Progress(Step.REGISTER, fields, (awaiting,), Status.REGISTERING)
    return approved(ctx, did.id, number)


async def _point_at_trunk(ctx: StepContext, did: Did) -> None:
    trunk_id = await ctx.known.trunk(ctx.tenant, ctx.didww)
    if did.voice_in_trunk_id == trunk_id:
        return
    try:
        await ctx.didww.point_did_at_trunk(did.id, trunk_id)
    except (NotFound, ValidationFailed):  # the kept trunk is gone at DIDWW: find it again
        ctx.known.forget_trunk(ctx.tenant)
        trunk_id = await ctx.known.trunk(ctx.tenant, ctx.didww)
        await ctx.didww.point_did_at_trunk(did.id, trunk_id)


def approved(ctx: StepContext, did_id: str, number: str, **extra: Any) -> Progress:
    """Announces the number the tenant now holds, ready for PortSIP's routing."""
    order_doc = ctx.document["order"]
    event = NumberApproved.caused_by(
        ctx.command,
        request_id=ctx.command.request_id,
        number=number,
        didww_did_id=did_id,
        didww_order_id=order_doc["id"],
        order_reference=order_doc["reference"],
        amount=Decimal(order_doc["amount"]),
        facts=NumberFacts.model_validate(ctx.document["facts"]),
        requested_at=ctx.command.occurred_at,
    )
    fields = {"did_id": did_id, "number": number, "approved_at": utc_now(), **extra}
    return Progress(Step.DONE, fields, (event,), Status.APPROVED)


STEPS = {
    Step.CHECK: check,
    Step.RESERVE: reserve,
    Step.ORDER: order,
    Step.AWAIT: await_order,
    Step.DELIVER: deliver,
}


def order_age_seconds(document: Document, now: datetime) -> float:
    """Returns how long the request's order has been pending."""
    ordered_at = document.get("ordered_at")
    return (now - ordered_at).total_seconds() if ordered_at else 0.0
