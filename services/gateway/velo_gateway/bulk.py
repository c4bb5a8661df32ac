"""Bulk number requests: priced from the live offers and guarded before one command is sent.

A bulk is checked and priced as a whole before anything is published: the live inventory says
what the numbers cost (the same offers `GET /v1/inventory` shows, as a single request's offer
does), the answer carries the totals, and `max_monthly_total` refuses (422) a bulk above it.
Then one `RequestNumbers` goes to ordering, which expands it into child requests `<id>-<i>`.
A bulk counts as **one** write of the tenant's write limit: it is one command, one confirmation
and one Idempotency-Key, and what it costs DIDWW is paced by ordering's rate budget, not by the
gateway (counting N would make any bulk above the burst impossible).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from velo_contracts import (
    BulkCost,
    ErrorCode,
    NextAvailable,
    NumberType,
    RequestNumbers,
    SpecificNumber,
)
from velo_contracts.commands import NumberPick
from velo_contracts.topics import ORDERING_COMMANDS
from velo_gateway import checks
from velo_gateway.auth import Caller
from velo_gateway.bodies import NumberRequestBody, e164, safe_id
from velo_gateway.context import Gateway
from velo_gateway.problems import Problem

PAGE, PAGES = 100, 20
"""Inventory items per page read while pricing (the inventory's own maximum), and most pages."""
Offer = dict[str, Any]


def location(bulk_id: str) -> str:
    """Returns where a bulk's progress is followed."""
    return f"/v1/number-requests/bulk/{bulk_id}"


async def request_numbers(
    gw: Gateway, caller: Caller, body: NumberRequestBody, bulk_id: str, known: Any
) -> dict[str, Any]:
    """Checks, prices and sends a bulk; returns the 202 answer (the first one again on a replay
    of its Idempotency-Key)."""
    if known is not None:
        return _replayed(known, body, bulk_id)
    picks, offers = await _plan(gw, caller, body)
    cost = _cost(offers, body.max_monthly_total)
    command = RequestNumbers(
        tenant_id=caller.tenant_id,
        actor=caller.actor,
        bulk_id=bulk_id,
        command_id=bulk_id,
        correlation_id=bulk_id,
        picks=picks,
        cost=cost,
    )
    await gw.send(command, ORDERING_COMMANDS)
    return _answer(bulk_id, "requested", len(picks), cost.model_dump(mode="json"))


def _answer(bulk_id: str, status: str, total: int, cost: Any) -> dict[str, Any]:
    return {"id": bulk_id, "kind": "bulk", "status": status, "total": total, "cost": cost}


def _replayed(known: dict[str, Any], body: NumberRequestBody, bulk_id: str) -> dict[str, Any]:
    """The answer to a bulk already sent under the same Idempotency-Key (same body), or 422."""
    if known.get("kind") != "bulk" or not _same_bulk(known["picks"], body):
        detail = "this Idempotency-Key was used for a different request; use a new key"
        raise Problem(422, "Idempotency-Key reused", detail, ErrorCode.IDEMPOTENCY_KEY_REUSED)
    return _answer(bulk_id, known["status"], known["total"], known.get("cost"))


def _same_bulk(picks: list[dict[str, Any]], body: NumberRequestBody) -> bool:
    if body.numbers is not None:
        return {p.get("number") for p in picks} == {e164(n) for n in body.numbers}
    first = picks[0]
    if body.offer_id or first.get("offer_id"):
        return bool(len(picks) == body.quantity and first.get("offer_id") == body.offer_id)
    asked = (body.country, body.type, body.area, body.quantity)
    return asked == (first["country"], first["number_type"], first.get("area"), len(picks))


async def _plan(
    gw: Gateway, caller: Caller, body: NumberRequestBody
) -> tuple[list[NumberPick], list[Offer]]:
    """Returns the picks of the bulk and the live offer each one is priced with."""
    if body.numbers is not None:
        return await _picked(gw, caller, body)
    if body.offer_id:
        return await _of_offer(gw, caller, body)
    return await _next_available(gw, caller, body)


async def _of_offer(
    gw: Gateway, caller: Caller, body: NumberRequestBody
) -> tuple[list[NumberPick], list[Offer]]:
    assert body.offer_id is not None and body.quantity is not None
    path = f"/v1/tenants/{caller.tenant_id}/offers/{safe_id(body.offer_id, 'offer')}"
    offer: Offer = await gw.downstream.get("inventory", path)
    if offer.get("number"):
        detail = (
            f"offer_id: {body.offer_id} is one listed number; a bulk by quantity takes a "
            "next-available offer, or country and type"
        )
        raise Problem(
            422, "Not a bulk offer", detail, ErrorCode.VALIDATION_FAILED, field="offer_id"
        )
    _refuse_kyc([offer])
    pick = NextAvailable(
        country=offer["country"],
        number_type=offer["type"],
        area=offer.get("area"),
        offer_id=body.offer_id,
    )
    return [pick] * body.quantity, [offer] * body.quantity


async def _next_available(
    gw: Gateway, caller: Caller, body: NumberRequestBody
) -> tuple[list[NumberPick], list[Offer]]:
    """Prices `quantity` next-available numbers from the live offers of the country, type and
    area; refuses at once what cannot be had (nothing offered, only KYC). Stock is not refused
    here: DIDWW caps its listing (it never says how many a group holds), so a number beyond the
    stock ends `unavailable` in the bulk's progress instead."""
    assert body.country and body.type and body.quantity is not None
    quantity = body.quantity

    def usable(offer: Offer) -> bool:
        return _in_area(offer, body.area) and not offer["kyc_required"]

    def enough(listed: list[Offer]) -> bool:
        return sum(usable(o) for o in listed) >= quantity

    listed, later = await _inventory(gw, caller, body.country, body.type, body.area, enough)
    fitting = [o for o in listed + later if _in_area(o, body.area)]
    where = f"{body.country} {body.type.value}" + (f" in {body.area}" if body.area else "")
    if not fitting:
        detail = f"DIDWW offers no {where} numbers right now"
        raise Problem(422, "Not on offer", detail, ErrorCode.NOT_OFFERED, field="area")
    _refuse_kyc(fitting)
    pick = NextAvailable(country=body.country, number_type=body.type, area=body.area)
    choices = [o for o in fitting if usable(o)]
    priciest = max(choices, key=lambda o: (Decimal(o["monthly_price"]), Decimal(o["setup_price"])))
    mixed = len({(o["monthly_price"], o["setup_price"]) for o in choices}) > 1
    offers = [priciest | {"mixed": mixed}] * body.quantity
    return [pick] * body.quantity, offers


def _in_area(offer: Offer, area: str | None) -> bool:
    """Ordering takes a group whose area is the one asked for (any case), as here."""
    return area is None or str(offer.get("area", "")).casefold() == area.casefold()


def _refuse_kyc(offers: list[Offer]) -> None:
    if any(not o["kyc_required"] for o in offers):
        return
    detail = (
        "these numbers need documents (KYC) before DIDWW delivers them; a bulk orders only "
        "numbers that need none: request them one at a time, and file the documents with DIDWW"
    )
    raise Problem(422, "Documents required", detail, ErrorCode.KYC_REQUIRED)


async def _inventory(
    gw: Gateway,
    caller: Caller,
    country: str,
    number_type: NumberType,
    area: str | None,
    enough: Callable[[list[Offer]], bool],
) -> tuple[list[Offer], list[Offer]]:
    """Reads the live inventory (pages of 100, at most `PAGES`) until the listed numbers are
    enough or it ends; returns them and the next-available offers. A bulk is never priced
    blind: when the inventory cannot answer, neither can the gateway (503)."""
    path = f"/v1/tenants/{caller.tenant_id}/inventory"
    params: dict[str, Any] = {"country": country, "type": number_type.value, "limit": PAGE}
    if area:
        params["area"] = area
    listed: list[Offer] = []
    later: list[Offer] = []
    for _ in range(PAGES):
        page = await gw.downstream.get("inventory", path, params)
        listed += page.get("items", [])
        later = later or page.get("next_available", [])
        if enough(listed) or not page.get("next_cursor"):
            break
        params["cursor"] = page["next_cursor"]
    return listed, later


async def _picked(
    gw: Gateway, caller: Caller, body: NumberRequestBody
) -> tuple[list[NumberPick], list[Offer]]:
    """Checks every picked number like a single pick (its country, not yours already, on offer
    now) and prices each from its own listing; refuses the bulk naming the ones that fail."""
    assert body.country and body.type and body.numbers is not None
    numbers = [e164(n, f"numbers[{i}]") for i, n in enumerate(body.numbers)]
    twice = sorted({n for n in numbers if numbers.count(n) > 1})
    if twice:
        detail = f"numbers: {', '.join(twice)} appear more than once; name each number once"
        raise Problem(422, "Invalid request", detail, field="numbers")
    picks: list[NumberPick] = [
        SpecificNumber(country=body.country, number_type=body.type, number=n) for n in numbers
    ]
    await checks.must_all_be_of_country(gw, caller, picks, "numbers")
    await _none_held(gw, caller, numbers)

    def all_seen(listed: list[Offer]) -> bool:
        return set(numbers) <= {o["number"] for o in listed}

    listed, _ = await _inventory(gw, caller, body.country, body.type, None, all_seen)
    by_number = {o["number"]: o for o in listed}
    by_number |= await _looked_up(gw, caller, body, [n for n in numbers if n not in by_number])
    missing = [n for n in numbers if n not in by_number]
    if missing:
        kind = f"{body.country} {body.type.value.replace('_', '-')}"
        detail = (
            f"numbers: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not on offer "
            f"as {kind} numbers now; take them out, or pick others from the inventory"
        )
        raise Problem(422, "Not on offer", detail, ErrorCode.NOT_OFFERED, field="numbers")
    offers = [by_number[n] for n in numbers]
    kyc = [n for n, o in zip(numbers, offers, strict=True) if o["kyc_required"]]
    if kyc:
        detail = (
            f"numbers: {', '.join(kyc)} need documents (KYC); a bulk orders only numbers that "
            "need none: request those one at a time"
        )
        raise Problem(422, "Documents required", detail, ErrorCode.KYC_REQUIRED, field="numbers")
    return picks, offers


async def _looked_up(
    gw: Gateway, caller: Caller, body: NumberRequestBody, numbers: list[str]
) -> dict[str, Offer]:
    """Looks each number the capped listing did not show up by its digits (five at a time)."""
    assert body.type is not None
    gate = asyncio.Semaphore(5)
    path = f"/v1/tenants/{caller.tenant_id}/inventory"
    kind = body.type.value

    async def one(number: str) -> list[Offer]:
        params = {"country": body.country, "type": kind}
        params["contains"] = number.removeprefix("+")
        async with gate:
            page = await gw.downstream.get("inventory", path, params)
        return [o for o in page.get("items", []) if o["number"] == number]

    found = await asyncio.gather(*(one(n) for n in numbers))
    return {o["number"]: o for offers in found for o in offers}


async def _none_held(gw: Gateway, caller: Caller, numbers: list[str]) -> None:
    """Refuses (409) a bulk naming a number the tenant holds already (read ten at a time)."""
    gate = asyncio.Semaphore(10)

    async def row(number: str) -> dict[str, Any] | None:
        async with gate:
            return await checks.number_row(gw, caller, number, strict=False)

    rows = await asyncio.gather(*(row(n) for n in numbers))
    for number, found in zip(numbers, rows, strict=True):
        checks.must_not_hold(found, number)


def _cost(offers: list[Offer], guard: Decimal | None) -> BulkCost:
    """Totals the offers; refuses (422, nothing sent) a monthly total above the guard."""
    monthly = [Decimal(o["monthly_price"]) for o in offers]
    setup = [Decimal(o["setup_price"]) for o in offers]
    mixed = any(o.get("mixed") for o in offers) or len(set(zip(monthly, setup, strict=True))) > 1
    cost = BulkCost(
        currency=offers[0].get("currency") or "USD",
        monthly_each=max(monthly),
        setup_each=max(setup),
        monthly_total=sum(monthly, Decimal(0)),
        setup_total=sum(setup, Decimal(0)),
        exact=not mixed,
        max_monthly_total=guard,
    )
    if guard is not None and cost.monthly_total > guard:
        detail = (
            f"max_monthly_total: the {len(offers)} numbers cost {cost.monthly_total} "
            f"{cost.currency} a month (plus {cost.setup_total} setup), above your "
            f"max_monthly_total of {guard}; nothing was ordered"
        )
        raise Problem(
            422,
            "Above max_monthly_total",
            detail,
            ErrorCode.OVER_BUDGET,
            field="max_monthly_total",
            cost=cost.model_dump(mode="json"),
        )
    return cost
