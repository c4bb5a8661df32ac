"""Tables for the terminal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Prints rows under columns."""
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(grid)


def price(entry: dict[str, Any]) -> str:
    """Formats an entry's monthly and setup price."""
    currency = entry.get("currency", "USD")
    return f"{entry.get('monthly_price')} {currency}/mo + {entry.get('setup_price')} setup"
