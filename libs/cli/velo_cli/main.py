"""`velo`: browse inventory, request, assign, release and audit numbers from the terminal."""

from __future__ import annotations

import os
import time
from typing import Annotated, Any

import jwt
import typer

from velo_cli.api import Api, ApiError
from velo_cli.render import console, price, table

app = typer.Typer(help=__doc__, no_args_is_help=True)
dev = typer.Typer(help="Development helpers for the sandbox setup of `make run`.")
app.add_typer(dev, name="dev")
TERMINAL = {"active", "rejected", "failed", "released"}


def _api() -> Api:
    try:
        return Api()
    except ApiError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@dev.command("token")
def token(
    tenant: str = "acme", user: str = "admin@acme", role: str = "admin", hours: int = 8
) -> None:
    """Prints a token for a demo tenant's user, signed with VELO_GATEWAY_JWT_SECRET."""
    secret = os.environ.get("VELO_GATEWAY_JWT_SECRET", "")
    if not secret:
        console.print("[red]VELO_GATEWAY_JWT_SECRET is not set (make run prints it)[/red]")
        raise typer.Exit(2)
    claims = {
        "sub": user,
        "tenant_id": tenant,
        "role": role,
        "exp": int(time.time()) + hours * 3600,
    }
    print(jwt.encode(claims, secret, algorithm="HS256"))


@app.command()
def countries() -> None:
    """Lists the countries DIDWW covers and the number types in each."""
    found = _call(lambda api: api.get("/v1/countries"))
    rows = [(c["iso"], c["name"], f"+{c['prefix']}", ", ".join(c["types"])) for c in found]
    table("Countries", ["ISO", "Name", "Prefix", "Types"], rows)


@app.command()
def search(
    country: str,
    type: str,
    area: str | None = None,
    contains: str | None = None,
    limit: int = 20,
) -> None:
    """Lists live numbers of a country and type, with prices and KYC flags."""
    found = _call(
        lambda api: api.get(
            "/v1/inventory",
            country=country.upper(),
            type=type,
            area=area,
            contains=contains,
            limit=limit,
        )
    )
    rows = [
        (n["number"], n.get("area"), price(n), "KYC" if n["kyc_required"] else "", n["offer_id"])
        for n in found["items"]
    ]
    table(f"{country.upper()} {type}", ["Number", "Area", "Price", "KYC", "Offer"], rows)
    offers = [
        (o.get("area"), price(o), "KYC" if o["kyc_required"] else "", o["offer_id"])
        for o in found.get("next_available", [])
    ]
    if offers:
        table("Next available", ["Area", "Price", "KYC", "Offer"], offers)


@app.command()
def request(
    country: str,
    type: str,
    number: Annotated[str | None, typer.Option(help="A specific number from `velo search`")] = None,
    area: str | None = None,
    wait: bool = True,
) -> None:
    """Requests a number (a specific one, or the next available) and waits until it is Active."""
    body: dict[str, Any] = {"country": country.upper(), "type": type}
    body |= {"number": number} if number else {"next_available": True, "area": area}
    accepted = _call(lambda api: api.send("POST", "/v1/number-requests", body))
    console.print(f"request [bold]{accepted['id']}[/bold] accepted")
    if wait:
        _follow(accepted["id"])


def _follow(request_id: str, timeout: float = 300) -> None:
    api = _api()
    deadline = time.monotonic() + timeout
    status = None
    with console.status("waiting for DIDWW and PortSIP …") as spinner:
        while time.monotonic() < deadline:
            state = api.get(f"/v1/number-requests/{request_id}")
            if state.get("number") and state["status"] == "approved":
                state["status"] = api.get(f"/v1/numbers/{state['number']}")["status"]
            if state["status"] != status:
                status = state["status"]
                spinner.update(f"{status} …")
                console.print(f"  {status}{' ' + state['number'] if state.get('number') else ''}")
            if status in TERMINAL:
                break
            time.sleep(1)
    if status != "active":
        why = state.get("detail") or state.get("reason") or "no reason given"
        console.print(f"[red]{status}: {why}[/red]")
        raise typer.Exit(1)
    console.print(f"[green]{state['number']} is Active[/green]")


@app.command()
def numbers(status: str | None = None, agent: str | None = None) -> None:
    """Shows the Phone numbers list."""
    found = _call(lambda api: api.get("/v1/numbers", status=status, agent=agent, limit=200))
    rows = [
        (
            n["number"],
            n["status"],
            n.get("country"),
            n.get("number_type"),
            n.get("monthly_price"),
            n.get("outbound_agent"),
            (n.get("inbound_target") or {}).get("id"),
        )
        for n in found["items"]
    ]
    table(
        "Phone numbers", ["Number", "Status", "Country", "Type", "Monthly", "Agent", "Rings"], rows
    )


@app.command()
def assign(
    number: str,
    agent: Annotated[str | None, typer.Option(help="Agent extension: outbound caller ID")] = None,
    ring: Annotated[str | None, typer.Option(help="TYPE:ID, e.g. queue:800 or agent:101")] = None,
) -> None:
    """Assigns a number as an agent's caller ID and/or where its calls ring (or reassigns it)."""
    body: dict[str, Any] = {"outbound_agent": agent}
    if ring:
        kind, _, target = ring.partition(":")
        body["inbound_target"] = {"type": kind, "id": target}
    accepted = _call(lambda api: api.send("PUT", f"/v1/numbers/{number}/assignment", body))
    console.print(f"accepted ({accepted['id']})")


@app.command()
def unassign(number: str) -> None:
    """Detaches a number from its agent and ring target."""
    accepted = _call(lambda api: api.send("DELETE", f"/v1/numbers/{number}/assignment"))
    console.print(f"accepted ({accepted['id']})")


@app.command()
def release(number: str) -> None:
    """Releases a number back to DIDWW (billing stops)."""
    accepted = _call(lambda api: api.send("POST", f"/v1/numbers/{number}/release"))
    console.print(f"accepted ({accepted['id']})")


@app.command()
def reconcile() -> None:
    """Looks for numbers DIDWW delivered outside a request (e.g. after KYC) and imports them."""
    found = _call(lambda api: api.send("POST", "/v1/reconciliation"))
    for number in found.get("imported", []):
        console.print(f"imported {number}")
    for number in found.get("gone_at_didww", []):
        console.print(f"[yellow]{number} is no longer live at DIDWW[/yellow]")
    if not found.get("imported") and not found.get("gone_at_didww"):
        console.print("nothing to reconcile")


@app.command()
def audit(number: str | None = None, actor: str | None = None, limit: int = 50) -> None:
    """Shows the audit log, newest first."""
    found = _call(lambda api: api.get("/v1/audit", number=number, actor=actor, limit=limit))
    rows = [
        (
            e["occurred_at"],
            e["type"],
            (e.get("actor") or {}).get("user_id"),
            e.get("number"),
            (e.get("cost") or {}).get("amount"),
        )
        for e in found["items"]
    ]
    table("Audit log", ["When", "Event", "Admin", "Number", "Amount"], rows)


@app.command()
def alerts(unread: bool = False) -> None:
    """Shows your alerts."""
    found = _call(lambda api: api.get("/v1/alerts", unread=unread))
    for alert in found["items"]:
        mark = "" if alert["read"] else "[bold]● [/bold]"
        console.print(
            f"{mark}{alert['created_at']}  [bold]{alert['title']}[/bold]\n  {alert['detail']}"
        )


def _call(action: Any) -> Any:
    try:
        return action(_api())
    except ApiError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
