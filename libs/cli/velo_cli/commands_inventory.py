"""Inventory commands: countries, areas, search, request a number, reconcile with DIDWW."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from velo_cli import bulk
from velo_cli.common import Json, NumberType, Wait, e164, gateway, misused
from velo_cli.render import dump, price, say, table, warn
from velo_cli.waiting import follow_request
from velo_contracts import MAX_BULK

Country = Annotated[str, typer.Argument(help="ISO country code, e.g. US or DE.")]
Limit = Annotated[int, typer.Option(min=1, max=200, help="Items per page (1-200).")]
Cursor = Annotated[str | None, typer.Option(help="next_cursor of the previous page.")]


def countries(as_json: Json = False) -> None:
    """List the countries DIDWW covers and the number types in each."""
    found = gateway().get("/v1/countries")
    if as_json:
        dump(found)
        return
    rows = [(c["iso"], c["name"], f"+{c['prefix']}", ", ".join(c["types"])) for c in found]
    table("Countries", ["ISO", "Name", "Prefix", "Types"], rows)


Type = Annotated[NumberType, typer.Argument(help="Number type: local, mobile or toll_free.")]


def areas(country: Country, type: Type, as_json: Json = False) -> None:
    """List the cities and areas where numbers of a type are on offer, with stock and prices."""
    found = gateway().get(f"/v1/countries/{country.upper()}/areas", type=type.value)
    if as_json:
        dump(found)
        return
    rows = [
        (
            a["name"],
            a.get("region") or "",
            ", ".join(a["prefixes"]),
            str(a["numbers_on_offer"]),
            _price_range(a),
            "KYC" if a["kyc_required"] else "",
            a["id"],
        )
        for a in found["items"]
    ]
    headers = ["Area", "Region", "Codes", "On offer", "Monthly", "KYC", "Id"]
    table(f"{country.upper()} {type.value} areas", headers, rows)


def _price_range(area: dict[str, Any]) -> str:
    low, high, currency = area["monthly_price_from"], area["monthly_price_to"], area["currency"]
    return f"{low} {currency}" if low == high else f"{low} to {high} {currency}"


def search(
    country: Country,
    type: Type,
    area: Annotated[
        str | None, typer.Option(help="City or area name, or an area id from `velo areas`.")
    ] = None,
    prefix: Annotated[
        str | None, typer.Option(help="Area code (NPA in the US and Canada), e.g. 212.")
    ] = None,
    contains: Annotated[str | None, typer.Option(help="Digits the number contains.")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    as_json: Json = False,
) -> None:
    """List live numbers of a country and type: prices, inbound SMS, KYC flags, full offer ids."""
    found = gateway().get(
        "/v1/inventory",
        country=country.upper(),
        type=type.value,
        area=area,
        prefix=prefix,
        contains=contains,
        limit=limit,
        cursor=cursor,
    )
    if as_json:
        dump(found)
        return
    rows = [
        (
            n["number"],
            n.get("area"),
            price(n),
            "SMS" if n.get("features", {}).get("sms_inbound") else "",
            "KYC" if n["kyc_required"] else "",
            n["offer_id"],
        )
        for n in found["items"]
    ]
    headers = ["Number", "Area", "Price", "SMS in", "KYC", "Offer"]
    table(f"{country.upper()} {type.value}", headers, rows)
    offers = [
        (o.get("area"), price(o), "KYC" if o["kyc_required"] else "", o["offer_id"])
        for o in found.get("next_available", [])
    ]
    if offers:
        table("Next available", ["Area", "Price", "KYC", "Offer"], offers)
    if found.get("next_cursor"):
        say(f"more: --cursor {found['next_cursor']}")


def request(
    country: Annotated[
        str | None, typer.Argument(help="ISO country code, e.g. US or DE (not with --offer).")
    ] = None,
    type: Annotated[
        NumberType | None,
        typer.Argument(help="Number type: local, mobile or toll_free (not with --offer)."),
    ] = None,
    number: Annotated[
        list[str] | None,
        typer.Option(help="A specific number from `velo search`; repeat it for a bulk of them."),
    ] = None,
    offer: Annotated[
        str | None, typer.Option(help="An offer id from `velo search`, instead of COUNTRY TYPE.")
    ] = None,
    area: Annotated[str | None, typer.Option(help="Area or city of the next available.")] = None,
    count: Annotated[
        int | None,
        typer.Option(
            min=1, max=MAX_BULK, help=f"A bulk of this many next-available numbers (≤ {MAX_BULK})."
        ),
    ] = None,
    max_monthly_total: Annotated[
        str | None,
        typer.Option(help="Refuse a bulk whose monthly total is above this, e.g. 25.00."),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(help="Send again with the same key: the same request, never a second order."),
    ] = None,
    identity: Annotated[
        str | None, typer.Option(help="In-app KYC: the identity to register the number to.")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="In-app KYC: that identity's address.")
    ] = None,
    wait: Wait = True,
    timeout: Annotated[
        float, typer.Option(min=0, help="Seconds to follow the request; exit code 3 after.")
    ] = 300,
    as_json: Json = False,
) -> None:
    """Request a number (a specific one, an offer, or the next available) and follow it; or a
    bulk (--count N, or --number repeated): its price first, then a progress bar."""
    numbers = number or []
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    if count is not None or len(numbers) > 1:
        body = _bulk(country, type, numbers, offer, area, count)
        if max_monthly_total:
            body["max_monthly_total"] = max_monthly_total
        _request_bulk(body, headers, wait, timeout, as_json)
        return
    if max_monthly_total:
        misused("--max-monthly-total guards a bulk: give it with --count or several --number")
    body = _pick(country, type, numbers[0] if numbers else None, offer, area)
    if identity or address:
        body |= {"identity_id": identity, "address_id": address}
    api = gateway()
    accepted = api.write("POST", "/v1/number-requests", body, headers)
    request_id = accepted.body["id"]
    location = accepted.location or f"/v1/number-requests/{request_id}"
    if not as_json:
        say(f"request {request_id} accepted")
    for period in accepted.body.get("held_before") or []:
        until = period.get("until") or "now"
        warn(f"you held this number before: from {period.get('from')} until {until}")
    if not wait:
        if as_json:
            dump(accepted.body)
        else:
            say(f"follow it: GET {location}")
        return
    follow_request(api, location, timeout, as_json)


def _pick(
    country: str | None,
    type: NumberType | None,
    number: str | None,
    offer: str | None,
    area: str | None,
) -> dict[str, Any]:
    if offer:
        if country or type or number or area:
            misused("give --offer alone, or COUNTRY TYPE with --number or --area")
        return {"offer_id": offer}
    if not country or not type:
        misused("give COUNTRY and TYPE (e.g. `velo request US local`), or --offer")
    body: dict[str, Any] = {"country": country.upper(), "type": type.value}
    if number:
        return body | {"number": e164(number)}
    return body | {"next_available": True} | ({"area": area} if area else {})


def _request_bulk(
    body: dict[str, Any], headers: dict[str, str] | None, wait: bool, timeout: float, as_json: bool
) -> None:
    api = gateway()
    accepted = bulk.send(api, body, headers, as_json)
    location = accepted.location or f"/v1/number-requests/bulk/{accepted.body['id']}"
    if wait:
        bulk.follow(api, location, timeout, as_json)
    elif as_json:
        dump(accepted.body)
    else:
        say(f"follow it: GET {location}")


def _bulk(
    country: str | None,
    type: NumberType | None,
    numbers: list[str],
    offer: str | None,
    area: str | None,
    count: int | None,
) -> dict[str, Any]:
    if count is not None and numbers:
        misused("give --count (next available) or --number (picked), not both")
    if offer:
        if country or type or area:
            misused("give --offer with --count alone, or COUNTRY TYPE with --count")
        return {"offer_id": offer, "quantity": count}
    if not country or not type:
        misused("give COUNTRY and TYPE (e.g. `velo request US local --count 20`), or --offer")
    body: dict[str, Any] = {"country": country.upper(), "type": type.value}
    if numbers:
        if area:
            misused("--area goes with --count, not with picked numbers")
        return body | {"numbers": [e164(n) for n in numbers]}
    return body | {"quantity": count} | ({"area": area} if area else {})


def reconcile(as_json: Json = False) -> None:
    """Import numbers DIDWW delivered outside a request (e.g. after KYC) and report drift."""
    found = gateway().write("POST", "/v1/reconciliation").body or {}
    if as_json:
        dump(found)
        return
    for number in found.get("imported", []):
        say(f"imported {number}")
    for number in found.get("gone_at_didww", []):
        warn(f"{number} is no longer live at DIDWW")
    if not found.get("imported") and not found.get("gone_at_didww"):
        say("nothing to reconcile")
