"""What the terminal shows: tables, lines, warnings, errors, and JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

WHOLE = {"Number", "Offer"}
"""Columns kept on one line (others wrap first), so a number or an offer id copies in one go."""


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print rows under columns; a value too long for its column folds, never cut short."""
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold", no_wrap=column in WHOLE)
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(grid)


def say(text: str, style: str | None = None) -> None:
    """Print a line as it is (no markup)."""
    console.print(text, style=style, markup=False, soft_wrap=True)


def warn(text: str) -> None:
    """Print a warning line on stderr."""
    errors.print(f"warning: {text}", style="yellow", markup=False, soft_wrap=True)


def stop(text: str, code: int) -> NoReturn:
    """Print text on stderr as one line and exits with code."""
    errors.print(text, style="red", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def fail(text: str, code: int = 1) -> NoReturn:
    """Print `error: text` on stderr and exits with code."""
    stop(f"error: {text}", code)


def dump(data: Any) -> None:
    """Print data as JSON, nothing else (for scripts)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def price(entry: dict[str, Any]) -> str:
    """Format an entry's monthly and setup price."""
    currency = entry.get("currency") or "USD"
    return f"{entry.get('monthly_price')} {currency}/mo + {entry.get('setup_price')} setup"


def target(entry: dict[str, Any] | None) -> str | None:
    """Format an inbound target as KIND:ID."""
    return f"{entry['type']}:{entry['id']}" if entry else None
