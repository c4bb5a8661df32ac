"""What the gateway can already tell is wrong with a command, answered at once (409/422).

Each check reads the same APIs an admin's screen reads (the Phone numbers list, the directory, the
countries and the live inventory). A check that cannot ask (a service down) lets the command go
through: the service that carries it out decides, and its answer reaches the admin.
"""

from __future__ import annotations

from typing import Any

from velo_contracts import ErrorCode, SpecificNumber
from velo_contracts.commands import NumberPick
from velo_gateway.auth import Caller
from velo_gateway.bodies import AssignmentBody
from velo_gateway.context import Gateway
from velo_gateway.problems import Problem

HELD = ("registering", "provisioning", "active")


async def _ask(gw: Gateway, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
    """Reads a downstream API for a check; None when the service cannot answer now."""
    try:
        return await gw.downstream.get(service, path, params)
    except Problem as problem:
        if problem.status >= 500:
            return None
        raise


async def number_row(
    gw: Gateway, caller: Caller, number: str, *, strict: bool = True
) -> dict[str, Any] | None:
    """Returns the tenant's row of number, or None if the tenant never held it.

    Not strict: also None when the list cannot be read now (a check that may be skipped).
    """
    path = f"/v1/tenants/{caller.tenant_id}/numbers/{number}"
    try:
        read = gw.downstream.get("assignment", path) if strict else _ask(gw, "assignment", path)
        row: dict[str, Any] | None = await read
    except Problem as problem:
        if problem.status == 404:
            return None
        raise
    return row


def must_be_active(
    row: dict[str, Any] | None, number: str, action: str, also: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Refuses (404/409) an action on a number the tenant does not hold Active (or in `also`)."""
    if row is None:
        raise Problem(404, "Not found", f"{number} is not one of your numbers", ErrorCode.NOT_FOUND)
    status = row["status"]
    if status == "released":
        detail = f"{number} was released on {row.get('released_at')}; it can't be {action} now"
        raise Problem(409, "Already released", detail, ErrorCode.ALREADY_RELEASED, state=status)
    if status != "active" and status not in also:
        detail = f"{number} is {status}, not active yet; it can be {action} once it is active"
        raise Problem(409, "Not active", detail, ErrorCode.NUMBER_NOT_ACTIVE, state=status)
    return row


def must_not_hold(row: dict[str, Any] | None, number: str) -> None:
    """Refuses (409) a request for a number the tenant already holds."""
    if row is not None and row["status"] in HELD:
        detail = f"{number} is already yours ({row['status']}); see /v1/numbers/{number}"
        code, state = ErrorCode.ALREADY_OWNED, row["status"]
        raise Problem(409, "Already yours", detail, code, number=number, state=state)


async def must_be_of_country(gw: Gateway, caller: Caller, pick: NumberPick) -> None:
    """Refuses (422) a specific number whose dialling code is not its country's."""
    await must_all_be_of_country(gw, caller, [pick])


async def must_all_be_of_country(
    gw: Gateway, caller: Caller, picks: list[NumberPick], field: str = "number"
) -> None:
    """Refuses (422) specific numbers whose dialling code is not their country's (one read)."""
    specific = [p for p in picks if isinstance(p, SpecificNumber)]
    if not specific:
        return
    found = await _ask(gw, "inventory", f"/v1/tenants/{caller.tenant_id}/countries")
    if found is None:
        return
    countries = {c["iso"]: c for c in found["items"]}
    for pick in specific:
        country = countries.get(pick.country)
        if country is None:
            known = ", ".join(sorted(countries))
            detail = f"country: DIDWW offers no numbers in {pick.country!r} (offered: {known})"
            code = ErrorCode.VALIDATION_FAILED
            raise Problem(422, "Unknown country", detail, code, field="country")
        prefix = str(country.get("prefix", "")).lstrip("+")
        if prefix and not pick.number.startswith(f"+{prefix}"):
            detail = (
                f"{field}: {pick.number} is not a {country['name']} number "
                f"({pick.country} numbers start with +{prefix})"
            )
            raise Problem(422, "Wrong country", detail, ErrorCode.WRONG_COUNTRY, field=field)


async def must_be_offered(gw: Gateway, caller: Caller, pick: NumberPick) -> None:
    """Refuses (422) a specific number the live inventory does not offer in its country/type."""
    if not isinstance(pick, SpecificNumber) or pick.offer_id:
        return
    params = {"country": pick.country, "type": pick.number_type.value}
    params["contains"] = pick.number.removeprefix("+")
    found = await _ask(gw, "inventory", f"/v1/tenants/{caller.tenant_id}/inventory", params)
    if found is None:
        return
    if not any(item["number"] == pick.number for item in found.get("items", [])):
        kind = pick.number_type.value.replace("_", "-")
        detail = (
            f"number: {pick.number} is not on offer as a {pick.country} {kind} number; "
            "search the inventory and pick one it lists"
        )
        raise Problem(422, "Not on offer", detail, ErrorCode.NOT_OFFERED, field="number")


async def must_be_in_directory(gw: Gateway, caller: Caller, body: AssignmentBody) -> None:
    """Refuses (422) an agent or target the tenant's PortSIP directory does not have.

    The directory is sip-routing's (live, or its last snapshot when PortSIP is unreachable); when
    neither can be had, the command goes through and sip-routing's answer shows on the number.
    """
    directory = await _ask(gw, "sip-routing", f"/v1/tenants/{caller.tenant_id}/directory")
    if directory is None:
        return
    kinds = {"agent": "agents", "extension": "agents", "queue": "queues"}
    kinds["ring_group"] = "ring_groups"
    wanted: list[tuple[str, str, str]] = []
    if body.outbound_agent:
        wanted.append(("outbound_agent", body.outbound_agent, "agents"))
    if body.inbound_target:
        target = body.inbound_target
        wanted.append(("inbound_target.id", target.id, kinds[target.type.value]))
    for field, extension, section in wanted:
        known = {entry["extension"] for entry in directory.get(section, [])}
        if extension not in known:
            what = {"agents": "an agent", "queues": "a queue"}.get(section, "a ring group")
            listed = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
            detail = f"{field}: {extension} is not {what} in your PBX (yours: {listed})"
            raise Problem(422, "Unknown target", detail, ErrorCode.TARGET_NOT_FOUND, field=field)
