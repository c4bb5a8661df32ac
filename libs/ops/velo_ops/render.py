"""What `velo-dlq` prints: aligned columns, one dead letter in full, and JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import typer

from velo_ops.desk import Row
from velo_ops.domain import Action, moment, payload_of
from velo_runtime.deadletters import DeadLetter

COLUMNS = ("ID", "FAILED AT", "ORIGINAL TOPIC", "TYPE", "TENANT", "ATTEMPTS", "ERROR", "STATE")
SHORT_ERROR = 60


def table(rows: Sequence[Row]) -> str:
    """Returns the rows as aligned columns under a header line."""
    cells = [COLUMNS, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )


def _cells(row: Row) -> tuple[str, ...]:
    letter = row.letter
    return (
        letter.id,
        _time(letter.failed_at),
        letter.original_topic,
        letter.message_type or "?",
        letter.tenant_id or "-",
        str(letter.attempts or "?"),
        short_error(letter),
        str(row.state),
    )


def short_error(letter: DeadLetter) -> str:
    """Returns the error type and its telling line, cut to fit a column."""
    lines = [line.strip() for line in letter.error.splitlines() if line.strip()]
    wrong = [
        line.split(" [type=")[0].removeprefix("Value error, ")
        for line in lines
        if " [type=" in line
    ]
    if letter.error_type == "ValidationError" and wrong:
        lines = wrong  # pydantic: "N validation errors for X", a field, then what is wrong
    text = lines[0] if lines else ""
    full = f"{letter.error_type}: {text}" if letter.error_type else text
    return full if len(full) <= SHORT_ERROR else full[: SHORT_ERROR - 1] + "…"


def detail(row: Row) -> str:
    """Returns everything about one dead letter, for people (secrets masked)."""
    letter = row.letter
    lines = [
        f"{letter.id}  {row.state}",
        f"  original    {letter.original_topic} partition {_maybe(letter.original_partition)}"
        f" offset {_maybe(letter.original_offset)}",
        f"  message     {letter.message_type or '?'} {letter.message_id or '(no message id)'}",
        f"  tenant      {letter.tenant_id or '-'}",
        f"  number      {letter.number or '-'}",
        f"  failed at   {_time(letter.failed_at)}, attempts: {_maybe(letter.attempts)}",
        f"  error       {letter.error_type}: " + letter.error.replace("\n", "\n" + " " * 14),
        f"  key         {_text(letter.key)}",
        "  headers     " + ", ".join(f"{n}={_text(v)}" for n, v in letter.headers),
    ]
    if letter.replay_of:
        lines.append(f"  replay of   {letter.replay_of}")
    if row.action:
        lines.append(f"  action      {describe(row.action)}")
    lines += ["payload:", _pretty(payload_of(letter))]
    return "\n".join(lines)


def describe(action: Action) -> str:
    """Returns who did what with a dead letter, and when."""
    verb = "replay" if action.kind == "replay" else "discard"
    text = f"{action.state} ({verb} by {action.by} at {_time(action.at)}"
    if action.reason:
        text += f", reason: {action.reason}"
    if action.resumed_by:
        text += f", resumed by {action.resumed_by}"
    return text + ")"


def as_json(row: Row, full: bool = False) -> dict[str, Any]:
    """Returns a row as plain JSON data (with the payload and headers when full)."""
    letter = row.letter
    data: dict[str, Any] = {
        "id": letter.id,
        "state": str(row.state),
        "failed_at": _iso(letter.failed_at),
        "original_topic": letter.original_topic,
        "original_partition": letter.original_partition,
        "original_offset": letter.original_offset,
        "type": letter.message_type,
        "message_id": letter.message_id,
        "tenant_id": letter.tenant_id,
        "number": letter.number,
        "attempts": letter.attempts,
        "error_type": letter.error_type,
        "error": letter.error,
        "replay_of": letter.replay_of,
        "action": _action_json(row.action),
    }
    if full:
        data["key"] = _text(letter.key)
        data["headers"] = {name: _text(value) for name, value in letter.headers}
        data["payload"] = payload_of(letter)
    return data


def dump(data: Any) -> None:
    """Prints data as JSON and nothing else."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _action_json(action: Action | None) -> dict[str, Any] | None:
    if action is None:
        return None
    return {
        "kind": str(action.kind),
        "by": action.by,
        "at": _iso(action.at),
        "reason": action.reason,
        "sent_at": _iso(action.sent_at),
        "done_at": _iso(action.done_at),
        "attempts": action.attempts,
        "resumed_by": action.resumed_by,
    }


def _pretty(payload: Any) -> str:
    return (
        payload if isinstance(payload, str) else json.dumps(payload, indent=2, ensure_ascii=False)
    )


def _text(value: bytes | None) -> str:
    return "" if value is None else value.decode(errors="replace")


def _maybe(value: int | None) -> str:
    return "?" if value is None else str(value)


def _time(at: datetime | None) -> str:
    return moment(at) if at else "?"


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
