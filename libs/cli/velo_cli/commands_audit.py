"""Audit and alerts commands: search or export the audit log, read and mark your alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from velo_cli.api import segment
from velo_cli.common import Json, e164, gateway, handled, misused
from velo_cli.render import dump, say, table

EVENT_TYPES = (
    "NumberRequested, NumberRequestRejected, NumberRequestFailed, NumberOrdered, NumberApproved, "
    "NumberImported, NumberReleased, RoutingConfigured, RoutingFailed, RoutingRemoved, "
    "NumberAssigned, NumberReassigned, NumberUnassigned, AssignmentRejected, AdminAlertRaised, "
    "KycRecordFiled, NumberAwaitingRegistration, RegistrationSubmitted, RegistrationRejected"
)


def _iso(value: str | None) -> str | None:
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(
                f"{value!r} is not an ISO-8601 time like 2026-11-25 or 2026-11-25T19:00:00Z"
            ) from None
    return value


def audit(
    type: Annotated[str | None, typer.Option(help=f"Event type, one of {EVENT_TYPES}.")] = None,
    number: Annotated[str | None, typer.Option(help="E.164, e.g. +12122001970.")] = None,
    actor: Annotated[
        str | None, typer.Option(help="User id of the admin, e.g. admin@acme.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--from", callback=_iso, help="ISO-8601 time, inclusive, e.g. 2026-11-25."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--to", callback=_iso, help="ISO-8601 time, exclusive, e.g. 2026-12-01."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Entries per page (1-200).")] = 50,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page.")] = None,
    csv: Annotated[
        bool, typer.Option("--csv", help="Write every match as CSV (/v1/audit.csv) to stdout.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Show the audit log, newest first (or export it as CSV)."""
    if csv and as_json:
        misused("give --csv or --json, not both")
    filters = {
        "type": type,
        "number": e164(number) if number else None,
        "actor": actor,
        "from": since,
        "to": until,
    }
    api = gateway()
    if csv:
        api.stream("/v1/audit.csv", lambda piece: typer.echo(piece, nl=False), **filters)
        return
    found = api.get("/v1/audit", limit=limit, cursor=cursor, **filters)
    if as_json:
        dump(found)
        return
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
    if found.get("next_cursor"):
        say(f"more: --cursor {found['next_cursor']}")


alerts = typer.Typer(
    help="Show your alerts (`velo alerts read ID` marks one read).",
    invoke_without_command=True,
    no_args_is_help=False,
)


@alerts.callback()
@handled
def list_alerts(
    context: typer.Context,
    unread: Annotated[bool, typer.Option("--unread", help="Only the alerts not read yet.")] = False,
    as_json: Json = False,
) -> None:
    """Show your alerts, newest first (● marks the unread ones)."""
    if context.invoked_subcommand is not None:
        return
    found = gateway().get("/v1/alerts", unread=True if unread else None)
    if as_json:
        dump(found)
        return
    if not found["items"]:
        say("no alerts" if not unread else "no unread alerts")
    for alert in found["items"]:
        mark = "  " if alert.get("read") else "● "
        say(f"{mark}{alert['created_at']}  {alert['title']}  (id {alert['id']})", "bold")
        say(f"  {alert.get('detail') or ''}")


@alerts.command("read")
@handled
def read_alert(
    alert_id: Annotated[str, typer.Argument(metavar="ID", help="The alert's id (`velo alerts`).")],
    as_json: Json = False,
) -> None:
    """Mark one of your alerts read."""
    gateway().write("POST", f"/v1/alerts/{segment(alert_id)}/read")
    if as_json:
        dump({"id": alert_id, "read": True})
    else:
        say(f"alert {alert_id} marked read")
