"""Phone numbers commands: list, show, assign, unassign, release, and the PBX directory."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from velo_cli.api import Api, Reply, segment
from velo_cli.common import (
    REFUSED,
    UNUSABLE,
    Json,
    ListStatus,
    NumberType,
    TargetKind,
    Timeout,
    Wait,
    e164,
    gateway,
    misused,
)
from velo_cli.detail import show_number
from velo_cli.render import dump, fail, say, stop, table, target
from velo_cli.waiting import wait_for_commands, wait_for_release

Number = Annotated[str, typer.Argument(help="E.164, with or without +, e.g. +12122001970.")]
KINDS = ", ".join(kind.value for kind in TargetKind)


@dataclass(frozen=True)
class Target:
    """Where a number's calls ring."""

    kind: TargetKind
    id: str


def _target(value: str) -> Target:
    kind, _, extension = value.partition(":")
    if kind not in {k.value for k in TargetKind} or not extension:
        raise typer.BadParameter(f"{value!r} is not KIND:ID with KIND one of {KINDS}")
    return Target(TargetKind(kind), extension)


def numbers(
    status: Annotated[
        ListStatus | None,
        typer.Option(help="provisioning, active, released or all; default: what you hold now."),
    ] = None,
    country: Annotated[str | None, typer.Option(help="ISO country code, e.g. US.")] = None,
    type: Annotated[
        NumberType | None, typer.Option(help="Number type: local, mobile or toll_free.")
    ] = None,
    agent: Annotated[
        str | None, typer.Option(help="Extension of an agent it presents or rings.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Items per page (1-200).")] = 200,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page.")] = None,
    as_json: Json = False,
) -> None:
    """Show the Phone numbers list (the numbers you hold, unless --status says otherwise)."""
    found = gateway().get(
        "/v1/numbers",
        status=status.value if status else None,
        country=country.upper() if country else None,
        type=type.value if type else None,
        agent=agent,
        limit=limit,
        cursor=cursor,
    )
    if as_json:
        dump(found)
        return
    rows = [
        (
            n["number"],
            n["status"],
            n.get("country"),
            n.get("number_type"),
            n.get("monthly_price"),
            n.get("outbound_agent"),
            target(n.get("inbound_target")),
        )
        for n in found["items"]
    ]
    columns = ["Number", "Status", "Country", "Type", "Monthly", "Agent", "Rings"]
    table("Phone numbers", columns, rows)
    if found.get("next_cursor"):
        say(f"more: --cursor {found['next_cursor']}")


def show(number: Number, as_json: Json = False) -> None:
    """Show one number: status, assignment, costs, ownership periods, changes and history."""
    found = gateway().get(f"/v1/numbers/{segment(e164(number))}")
    if as_json:
        dump(found)
        return
    show_number(found)


def assign(
    number: Number,
    agent: Annotated[
        str | None, typer.Option(help="Extension of the agent who presents it as caller ID.")
    ] = None,
    ring: Annotated[
        Target | None,
        typer.Option(
            parser=_target,
            metavar="KIND:ID",
            help=f"Where its calls ring: KIND:ID, KIND one of {KINDS} (e.g. queue:800).",
        ),
    ] = None,
    wait: Wait = True,
    timeout: Timeout = 60,
    as_json: Json = False,
) -> None:
    """Assign a number as an agent's caller ID and/or where its calls ring (or reassign it)."""
    if agent is None and ring is None:
        misused("give --agent, --ring or both")
    body: dict[str, Any] = {"outbound_agent": agent} if agent else {}
    if ring:
        body["inbound_target"] = {"type": ring.kind.value, "id": ring.id}
    path, api = f"/v1/numbers/{segment(e164(number))}", gateway()
    _settle(api, api.write("PUT", f"{path}/assignment", body), path, wait, timeout, as_json)


def unassign(
    number: Number, wait: Wait = True, timeout: Timeout = 60, as_json: Json = False
) -> None:
    """Detach a number from its agent and ring target."""
    path, api = f"/v1/numbers/{segment(e164(number))}", gateway()
    _settle(api, api.write("DELETE", f"{path}/assignment"), path, wait, timeout, as_json)


def _settle(
    api: Api, accepted: Reply, path: str, wait: bool, timeout: float, as_json: bool
) -> None:
    ids: list[str] = accepted.body.get("commands") or [accepted.body["id"]]
    if not wait:
        _accepted(accepted, as_json)
        return
    wait_for_commands(api, accepted.location or path, ids, timeout, as_json)


def _accepted(accepted: Reply, as_json: bool) -> None:
    if as_json:
        dump(accepted.body)
    else:
        say(f"accepted ({accepted.body['id']}); see `velo show` for the outcome")


def release(
    number: Number,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Release without asking.")] = False,
    idempotency_key: Annotated[
        str | None, typer.Option(help="Send again with the same key: the same release, once.")
    ] = None,
    wait: Wait = True,
    timeout: Timeout = 60,
    as_json: Json = False,
) -> None:
    """Release a number back to DIDWW: billing stops and the number is no longer yours."""
    number = e164(number)
    if not yes:
        _confirm(number)
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    path = f"/v1/numbers/{segment(number)}"
    api = gateway()
    accepted = api.write("POST", f"{path}/release", None, headers)
    if not wait:
        _accepted(accepted, as_json)
        return
    command_id = str((accepted.body or {}).get("id", ""))
    wait_for_release(api, accepted.location or path, command_id, timeout, as_json)


def _confirm(number: str) -> None:
    if not sys.stdin.isatty():
        fail(f"not releasing {number}: confirm in a terminal, or pass --yes", UNUSABLE)
    question = f"Release {number}? Billing stops now and the number is not held for you."
    if not typer.confirm(question, default=False, err=True):
        stop(f"{number} not released", REFUSED)


def directory(as_json: Json = False) -> None:
    """List the agents, queues and ring groups of your PBX (what numbers can be assigned to)."""
    found = gateway().get("/v1/directory")
    if as_json:
        dump(found)
        return
    sections = (("agent", "agents"), ("queue", "queues"), ("ring_group", "ring_groups"))
    rows = [
        (kind, entry["extension"], entry.get("name"))
        for kind, section in sections
        for entry in found.get(section, [])
    ]
    source = "live" if found.get("source", "live") == "live" else "last snapshot"
    table(f"Directory ({source})", ["Kind", "Extension", "Name"], rows)
