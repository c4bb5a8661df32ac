"""What every command shares: the gateway client, closed sets of values, errors as exit codes."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, NoReturn, ParamSpec

import httpx
import typer

from velo_cli.api import Api, ApiError, SetupError
from velo_cli.render import fail
from velo_contracts import NumberType as NumberType
from velo_contracts import TargetType

REFUSED, UNUSABLE, TIMED_OUT = 1, 2, 3
"""Exit codes: refused or failed; cannot run (setup, gateway down, not confirmed); no outcome."""


TargetKind = TargetType
"""What a number's calls can ring (the contracts' own list)."""


class ListStatus(StrEnum):
    """Which numbers the Phone numbers list shows."""

    PROVISIONING = "provisioning"
    ACTIVE = "active"
    RELEASED = "released"
    ALL = "all"


Json = Annotated[
    bool, typer.Option("--json", help="Print the API's JSON and nothing else (for scripts).")
]
Timeout = Annotated[
    float,
    typer.Option(
        min=0, help="Seconds to wait for the outcome; exit code 3 when it has not come by then."
    ),
]
Wait = Annotated[
    bool,
    typer.Option(
        "--wait/--no-wait", help="Wait for the outcome (default), or return once accepted."
    ),
]


@dataclass(frozen=True)
class Seam:
    """What tests put in place of the network and the pace of polling: `invoke(..., obj=Seam())`."""

    transport: httpx.BaseTransport | None = None
    poll_seconds: float = 1.0


current: ContextVar[Seam | None] = ContextVar("seam", default=None)
"""The seam of this invocation: set by `velo`'s root callback from the context's obj."""


def seam() -> Seam:
    """Return the seam the command runs with (the real network unless a test gave one)."""
    return current.get() or Seam()


def misused(text: str) -> NoReturn:
    """Stop a command given the wrong combination of arguments (exit code 2)."""
    fail(text, UNUSABLE)


def gateway() -> Api:
    """Return the gateway client of VELO_API_URL and VELO_TOKEN."""
    return Api.from_env(seam().transport)


P = ParamSpec("P")


def handled(command: Callable[P, None]) -> Callable[P, None]:
    """Wrap a command: gateway errors become one line and an exit code, never a traceback."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except SetupError as exc:
            fail(str(exc), UNUSABLE)
        except ApiError as exc:
            fail(exc.detail, REFUSED)

    return run


_SEPARATORS = re.compile(r"[\s\-.()/]")


def e164(number: str) -> str:
    """Return number as E.164 with `+` (the gateway validates it)."""
    compact = _SEPARATORS.sub("", number)
    if compact.startswith("00"):
        compact = compact[2:]
    return compact if compact.startswith("+") else f"+{compact}"
