"""Bulk requests from the terminal: the price first, then a progress bar until every number ends."""

from __future__ import annotations

from typing import Any

from velo_cli.api import Api, Reply
from velo_cli.common import REFUSED, TIMED_OUT
from velo_cli.render import dump, say, stop, warn
from velo_cli.waiting import polls, read

BAR = 30
"""Width of the progress bar, in characters."""


def send(api: Api, body: dict[str, Any], headers: dict[str, str] | None, as_json: bool) -> Reply:
    """Send a bulk request; say its id and what it costs (unless only JSON is wanted)."""
    accepted = api.write("POST", "/v1/number-requests", body, headers)
    if not as_json:
        answer = accepted.body
        say(f"bulk {answer['id']} accepted: {answer['total']} numbers")
        if answer.get("cost"):
            say(f"  cost {describe_cost(answer['cost'])}")
    return accepted


def describe_cost(cost: dict[str, Any]) -> str:
    """The bulk's cost in words: totals, and each number's price."""
    currency = cost.get("currency") or "USD"
    bound = "" if cost.get("exact", True) else "at most "
    return (
        f"{bound}{cost['monthly_total']} {currency}/month + {cost['setup_total']} {currency} "
        f"setup ({cost['monthly_each']}/month + {cost['setup_each']} setup each)"
    )


def bar(state: dict[str, Any]) -> str:
    """A plain text progress bar: `[####----....] 12/50 active, 1 failed, 37 pending`."""
    total = max(int(state["total"]), 1)
    done, failed = int(state["done"]), int(state["failed"])
    filled, broken = done * BAR // total, failed * BAR // total
    drawn = "#" * filled + "x" * broken + "." * (BAR - filled - broken)
    return f"  [{drawn}] {done}/{total} active, {failed} failed, {state['pending']} pending"


def follow(api: Api, location: str, timeout: float, as_json: bool) -> None:
    """Show the bulk's progress until every number is active, rejected or failed."""
    state: dict[str, Any] = {}
    last = ""
    for _ in polls(timeout):
        state = read(api, location) or state
        if not state:
            continue
        line = bar(state)
        if line != last and not as_json:
            say(line)
            last = line
        if state["status"] == "done":
            break
    else:
        if as_json:
            dump(state)
        pending = state.get("pending", "all")
        stop(
            f"{pending} numbers still on their way after {timeout:g}s; "
            f"they may still complete (GET {location})",
            TIMED_OUT,
        )
    _outcome(state, as_json)


def _outcome(state: dict[str, Any], as_json: bool) -> None:
    if as_json:
        dump(state)
    failed = [r for r in state["requests"] if r["status"] in ("rejected", "failed")]
    if not as_json:
        for request in failed:
            what = request.get("number") or request["id"]
            warn(f"{what} {request['status']}: {request.get('detail') or request.get('reason')}")
    if failed:
        stop(f"{len(failed)} of {state['total']} numbers were not obtained", REFUSED)
    if not as_json:
        say(f"{state['done']} of {state['total']} numbers are Active", "green")
