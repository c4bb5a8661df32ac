"""`velo-dlq`: list, show, replay (once) and discard the messages parked in dead-letter topics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, NoReturn, TypeVar

import typer
from aiokafka.errors import KafkaError
from pymongo.errors import PyMongoError

from velo_ops import render
from velo_ops.actions import COLLECTION, ActionLog, MongoActionDocuments
from velo_ops.desk import Desk
from velo_ops.domain import Action, DlqError, Kind, Unreachable
from velo_ops.kafka import KafkaDeadLetters, KafkaSender, kafka_sender
from velo_ops.settings import OpsSettings
from velo_runtime.mongo import create_mongo_client

HELP = "\n\n".join(
    [
        "List, show, replay and discard dead letters: messages a service parked in `<topic>.dlq` "
        "after its retries ran out, or at once when they could never succeed.",
        "An ID is a dead letter's coordinate, `<dlq topic>/<partition>/<offset>` (as `list` "
        "shows it), or a unique prefix of its message id. Each dead letter is replayed or "
        "discarded at most once: the first operator wins, the others are told who came first. "
        "Every replay and discard is recorded (who, when, why) and announced on "
        "velo.ops.events.v1, so the audit log shows it.",
        "Reads VELO_KAFKA_BOOTSTRAP (default 127.0.0.1:9092), VELO_MONGO_URL (default "
        "mongodb://127.0.0.1:27017/), VELO_OPS_MONGO_DATABASE (default velo_ops) and "
        "VELO_OPERATOR (for --by).",
        "Exit codes: 0 done · 1 refused (already replayed or discarded — by whom is said —, "
        "nothing to resume, or the action stopped half-way) · 2 cannot run (usage, unknown or "
        "ambiguous id, Kafka or the database unreachable).",
    ]
)
RESUME_HELP = (
    "Finish an action that was recorded but stopped before it was confirmed (`list` shows "
    "'replay unconfirmed'): publishes it again. This MAY PUBLISH THE MESSAGE TWICE if the first "
    "publication did land; consumers deduplicate by message id where they can."
)

app = typer.Typer(help=HELP, no_args_is_help=True, add_completion=False)
T = TypeVar("T")

Json = Annotated[bool, typer.Option("--json", help="Print JSON and nothing else (for scripts).")]
By = Annotated[
    str,
    typer.Option("--by", envvar="VELO_OPERATOR", help="Who you are (recorded); or VELO_OPERATOR."),
]
Id = Annotated[
    str,
    typer.Argument(
        metavar="ID", help="Coordinate `<dlq topic>/<partition>/<offset>`, or a message id prefix."
    ),
]


@app.command("list")
def list_(
    topic: Annotated[
        str | None, typer.Option(help="Only this topic's dead letters (the topic or its DLQ).")
    ] = None,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's dead letters.")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Also those already replayed or discarded.")
    ] = False,
    as_json: Json = False,
) -> None:
    """List dead letters still waiting for an operator (--all: every one), oldest first."""

    async def run(desk: Desk) -> None:
        rows = await desk.rows(topic, tenant, everything)
        if as_json:
            render.dump([render.as_json(row) for row in rows])
        elif rows:
            typer.echo(render.table(rows))
        else:
            typer.echo(
                "no dead letters" + ("" if everything else " waiting (--all shows every one)")
            )

    _run(run)


@app.command()
def show(wanted: Id, as_json: Json = False) -> None:
    """Show one dead letter in full: where it failed, why, headers and payload (secrets masked)."""

    async def run(desk: Desk) -> None:
        row = await desk.row(wanted)
        if as_json:
            render.dump(render.as_json(row, full=True))
        else:
            typer.echo(render.detail(row))

    _run(run)


@app.command()
def replay(
    wanted: Id,
    by: By,
    reason: Annotated[str | None, typer.Option(help="Why (recorded and announced).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help=RESUME_HELP)] = False,
) -> None:
    """Publish a dead letter again to its original topic, once, marked with who replayed it."""

    async def run(desk: Desk) -> None:
        async with _sender() as sender:
            if resume:
                action = await desk.resume(wanted, Kind.REPLAY, by, sender)
            else:
                action = await desk.replay(wanted, by, sender, reason)
        _done(action, "replayed to its original topic")

    _run(run)


@app.command()
def discard(
    wanted: Id,
    by: By,
    reason: Annotated[str, typer.Option(help="Why it will not be processed (required).")],
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Finish a discard that stopped before it was announced."),
    ] = False,
) -> None:
    """Set a dead letter aside for good, once: it is not replayed, and no longer listed."""

    async def run(desk: Desk) -> None:
        async with _sender() as sender:
            if resume:
                action = await desk.resume(wanted, Kind.DISCARD, by, sender)
            else:
                action = await desk.discard(wanted, by, sender, reason)
        _done(action, "discarded")

    _run(run)


def _done(action: Action, what: str) -> None:
    typer.echo(f"{action.dead_letter} {what} by {action.by}")


@asynccontextmanager
async def _sender() -> AsyncIterator[KafkaSender]:
    async with kafka_sender(OpsSettings().kafka_bootstrap) as sender:
        yield sender


def _run(command: Callable[[Desk], Awaitable[None]]) -> None:
    """Runs a command on a desk over the real Kafka and database; errors become exit codes."""
    try:
        asyncio.run(_with_desk(command))
    except DlqError as exc:
        _fail(str(exc), exc.exit_code)


async def _with_desk(command: Callable[[Desk], Awaitable[None]]) -> None:
    settings = OpsSettings()
    mongo = create_mongo_client(settings.mongo_url)
    actions = ActionLog(MongoActionDocuments(mongo[settings.mongo_database][COLLECTION]))
    try:
        await command(Desk(KafkaDeadLetters(settings.kafka_bootstrap), actions))
    except (KafkaError, PyMongoError, OSError, TimeoutError) as exc:
        named = (
            str(exc) if str(exc).startswith(type(exc).__name__) else f"{type(exc).__name__}: {exc}"
        )
        raise Unreachable(f"cannot reach Kafka or the database: {named}") from None
    finally:
        await mongo.close()


def _fail(text: str, code: int) -> NoReturn:
    typer.echo(f"error: {text}", err=True)
    raise typer.Exit(code)


def main() -> None:
    """Runs `velo-dlq`."""
    logging.basicConfig(level=logging.CRITICAL)  # the libraries' retries are not the user's news
    app()
