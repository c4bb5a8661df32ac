"""`velo`: browse inventory, request, assign, release and audit numbers from the terminal."""

from __future__ import annotations

import os
from enum import StrEnum
from importlib.metadata import version
from typing import Annotated

import jwt
import typer

from velo_cli import commands_audit, commands_inventory, commands_kyc, commands_numbers
from velo_cli.common import UNUSABLE, Json, Seam, current, handled
from velo_cli.render import dump, fail
from velo_contracts import tokens

HELP = "\n\n".join(
    [
        "Browse inventory, request, assign, release and audit numbers from the terminal.",
        "Needs VELO_API_URL and VELO_TOKEN. Every command takes --json (the API's JSON only).",
        "Exit codes: 0 done · 1 refused, rejected or failed · 2 cannot run (usage, a variable "
        "missing, gateway down, release not confirmed) · 3 no outcome within --timeout (it may "
        "still come).",
    ]
)

app = typer.Typer(help=HELP, no_args_is_help=True)
dev = typer.Typer(help="Development helpers for the sandbox setup of `make run`.")
app.add_typer(dev, name="dev")
app.add_typer(commands_audit.alerts, name="alerts")
app.add_typer(commands_kyc.kyc, name="kyc")

for command in (
    commands_inventory.countries,
    commands_inventory.areas,
    commands_inventory.search,
    commands_inventory.request,
    commands_numbers.numbers,
    commands_numbers.show,
    commands_numbers.assign,
    commands_numbers.unassign,
    commands_numbers.release,
    commands_numbers.directory,
    commands_inventory.reconcile,
    commands_audit.audit,
):
    app.command()(handled(command))


class Role(StrEnum):
    """Roles a gateway token can carry."""

    ADMIN = "admin"
    AGENT = "agent"


def _version(asked: bool) -> None:
    if asked:
        typer.echo(f"velo {version('velo-cli')}")
        raise typer.Exit()


@app.callback()
def main(
    context: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print velo's version and exit."
        ),
    ] = False,
) -> None:
    """Browse inventory, request, assign, release and audit numbers from the terminal."""
    current.set(context.obj if isinstance(context.obj, Seam) else None)


@dev.command("token")
def token(
    tenant: Annotated[str, typer.Option(help="Tenant id, e.g. acme or globex.")] = "acme",
    user: Annotated[str, typer.Option(help="User id (the token's sub).")] = "admin@acme",
    role: Annotated[Role, typer.Option(help="admin or agent.")] = Role.ADMIN,
    hours: Annotated[int, typer.Option(min=1, help="Hours until it expires.")] = 8,
    as_json: Json = False,
) -> None:
    """Print a token for a demo tenant's user, signed with VELO_GATEWAY_JWT_SECRET."""
    secret = os.environ.get("VELO_GATEWAY_JWT_SECRET", "")
    if not secret:
        fail("VELO_GATEWAY_JWT_SECRET is not set (make run prints it)", UNUSABLE)
    signed = tokens.mint(secret, tenant, user, role.value, hours)
    if as_json:
        claims = jwt.decode(signed, options={"verify_signature": False})
        dump({"token": signed, "claims": claims})
    else:
        typer.echo(signed)
