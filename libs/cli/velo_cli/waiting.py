"""Following a 202 to its outcome: a number request, assignment commands, a release."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from velo_cli.api import Api, ApiError
from velo_cli.common import REFUSED, TIMED_OUT, seam
from velo_cli.render import dump, say, stop, warn

REQUEST_DONE = {"active", "rejected", "failed"}


def polls(timeout: float) -> Iterator[None]:
    """Yield once per poll (at least once) until timeout seconds have passed."""
    deadline = time.monotonic() + timeout
    pause = seam().poll_seconds
    while True:
        yield
        if time.monotonic() >= deadline:
            return
        time.sleep(pause)


def read(api: Api, path: str) -> dict[str, Any] | None:
    """Read path; None while it is not there yet or the gateway is briefly unable to answer."""
    try:
        found: dict[str, Any] = api.get(path)
    except ApiError as exc:
        if exc.status in (404, 429) or exc.status >= 500:
            return None
        raise
    return found


def follow_request(api: Api, location: str, timeout: float, as_json: bool) -> None:
    """Print each new status of a number request until it is active, rejected or failed."""
    state: dict[str, Any] = {}
    shown: set[str] = set()
    warned: set[str] = set()
    for _ in polls(timeout):
        state = read(api, location) or state
        status, number = state.get("status"), state.get("number")
        line = f"  {status}{f' {number}' if number else ''}"
        if registration := state.get("registration"):
            line += f" (registration {registration.get('status')})"
        if status and line not in shown and not as_json:
            shown.add(line)
            say(line)
        problem = state.get("routing_error")
        if problem and problem not in warned:
            warned.add(problem)
            warn(f"PortSIP has not routed it yet: {problem} (retrying)")
        if status in REQUEST_DONE:
            break
    else:
        _report(state, as_json)
        status = state.get("status", "requested")
        stop(f"still {status} after {timeout:g}s; {_later(location)}", TIMED_OUT)
    _report(state, as_json)
    if state["status"] != "active":
        why = state.get("detail") or state.get("reason") or "no reason given"
        stop(f"{state['status']}: {why}", REFUSED)
    if not as_json:
        say(f"{state['number']} is Active", "green")


def wait_for_commands(
    api: Api, location: str, ids: list[str], timeout: float, as_json: bool
) -> None:
    """Wait until each command is refused, unchanged, or applied with PortSIP configured."""
    row: dict[str, Any] = {}
    done: dict[str, dict[str, Any]] = {}
    warned: set[str] = set()
    for _ in polls(timeout):
        row = read(api, location) or row
        for change in row.get("changes", []):
            if change["command_id"] not in ids or change["command_id"] in done:
                continue
            routing = change.get("routing")
            if routing and routing.startswith("failed") and routing not in warned:
                warned.add(routing)
                warn(f"PortSIP is not configured yet: {routing} (retrying)")
            if change["outcome"] != "applied" or routing in (None, "configured"):
                done[change["command_id"]] = change
                _tell(change, as_json)
        if len(done) == len(ids):
            break
    else:
        _report(row, as_json)
        stop(f"no outcome after {timeout:g}s; {_later(location)}", TIMED_OUT)
    _report(row, as_json)
    refused = [change for change in done.values() if change["outcome"] == "refused"]
    if refused:
        stop("; ".join(f"{c['kind']} refused: {c.get('reason')}" for c in refused), REFUSED)


def wait_for_release(
    api: Api, location: str, command_id: str, timeout: float, as_json: bool
) -> None:
    """Wait until the number shows as released (billing stopped), or the release refused."""
    row: dict[str, Any] = {}
    for _ in polls(timeout):
        row = read(api, location) or row
        if row.get("status") == "released":
            break
        refused = [c for c in row.get("changes", []) if c["command_id"] == command_id]
        if refused:
            _report(row, as_json)
            stop(f"release refused: {refused[0].get('reason')}", REFUSED)
    else:
        _report(row, as_json)
        stop(f"not released after {timeout:g}s; {_later(location)}", TIMED_OUT)
    _report(row, as_json)
    if not as_json:
        say(f"{row['number']} released; billing stopped at {row.get('released_at')}", "green")


def _tell(change: dict[str, Any], as_json: bool) -> None:
    if as_json:
        return
    kind, outcome = change["kind"], change["outcome"]
    if outcome == "applied":
        say(f"{kind} applied; PortSIP configured", "green")
    elif outcome == "unchanged":
        say(f"{kind} unchanged: the number already had that assignment")


def _report(state: dict[str, Any], as_json: bool) -> None:
    if as_json:
        dump(state)


def _later(location: str) -> str:
    return f"it may still complete (GET {location})"
