"""`velo show`: one number as a person reads it."""

from __future__ import annotations

from typing import Any

from velo_cli.render import say, table, target


def show_number(row: dict[str, Any]) -> None:
    """Print a number's status, facts, costs, assignment, periods, changes and history."""
    say(f"{row['number']}  {row['status']}", _style(row["status"]))
    for label, value in _facts(row):
        if value:
            say(f"  {label:<11} {value}")
    periods = [
        (p.get("from"), p.get("until") or "now", p.get("origin"), ", ".join(p.get("agents") or []))
        for p in row.get("periods", [])
    ]
    if periods:
        table("Ownership periods", ["From", "Until", "Origin", "Agents"], periods)
    changes = [
        (c.get("at"), c.get("kind"), c.get("by"), c.get("outcome"), _result(c))
        for c in reversed(row.get("changes", []))
    ]
    if changes:
        table("Recent changes", ["At", "Change", "By", "Outcome", "PortSIP / reason"], changes)
    history = [
        (h.get("at"), h.get("event"), (h.get("actor") or {}).get("user_id"))
        for h in reversed(row.get("history", []))
    ]
    if history:
        table("History", ["At", "Event", "By"], history)


def _facts(row: dict[str, Any]) -> list[tuple[str, Any]]:
    kind = " ".join(str(v) for v in (row.get("country"), row.get("number_type")) if v)
    area = f", {row['area']}" if row.get("area") else ""
    origin = f" ({row['origin']})" if row.get("origin") else ""
    currency = row.get("currency") or "USD"
    costs = None
    if row.get("monthly_price") is not None:
        costs = (
            f"{row['monthly_price']} {currency}/month, {row.get('setup_price')} {currency} setup"
        )
    agent = row.get("outbound_agent")
    rings = target(row.get("inbound_target"))
    if rings and row.get("inbound_destination"):
        rings += f" (PortSIP: {row['inbound_destination']})"
    pending = row.get("pending_change")
    return [
        ("number", f"{kind}{area}{origin}" if kind else None),
        ("KYC", "required" if row.get("kyc_required") else None),
        ("costs", costs),
        ("caller ID", f"agent {agent}" if agent else None),
        ("rings", rings),
        ("request", row.get("request_id")),
        ("listed", row.get("listed_at")),
        ("released", row.get("released_at")),
        ("held before", "yes, in an earlier period" if row.get("held_before") else None),
        ("problem", row.get("detail") or row.get("reason")),
        (
            "routing",
            f"not configured: {row['routing_error']}" if row.get("routing_error") else None,
        ),
        (
            "pending",
            f"{pending['kind']} by {pending['by']}: {_result(pending)}" if pending else None,
        ),
    ]


def _result(change: dict[str, Any]) -> str:
    if change.get("outcome") == "refused":
        return str(change.get("reason") or "")
    return str(change.get("routing") or "")


def _style(status: str) -> str | None:
    return {"active": "green", "released": "dim", "provisioning": "yellow"}.get(status)
