"""The checks of a chaos run: what the ledger did against what the system shows afterwards."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from velo_devinfra.chaos.ledger import Ledger
from velo_devinfra.chaos.observe import Record, Snapshot, TenantView
from velo_devinfra.chaos.outcomes import (
    APPLIED,
    COALESCED,
    IN_FLIGHT,
    LOST,
    REFUSED,
    UNCHANGED,
    outcomes,
)
from velo_devinfra.chaos.plan import Plan

HELD = ("provisioning", "active")
DEFAULT_DESTINATION = "800"
"""Where a number without an inbound target rings (the demo tenants' default)."""


@dataclass(frozen=True)
class Check:
    """One line of the table: what was expected, what was found, and the evidence."""

    name: str
    expected: str
    found: str
    ok: bool
    required: bool = True
    details: list[str] = field(default_factory=list)


def zero(name: str, problems: list[str], required: bool = True) -> Check:
    """A check that wants no problems at all."""
    return Check(name, "0", str(len(problems)), not problems, required, problems)


def at_least(name: str, wanted: int, found: int) -> Check:
    """A check that wants found to reach wanted."""
    return Check(name, f">= {wanted}", str(found), found >= wanted)


def settled(ledger: Ledger, snap: Snapshot) -> list[Check]:
    """Returns the checks of the system's state, which hold once it has settled."""
    return [*_commands(ledger, snap), *_stores(snap), *_kafka(snap)]


def what_was_done(plan: Plan, ledger: Ledger) -> list[Check]:
    """Returns the checks that the run really did the chaos its plan asked for."""
    sent = [op for op in ledger.operations if op.attempts]
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(ledger.statuses().items()))
    checks = [
        at_least("operations sent through the gateway", plan.operations, len(sent)),
        Check("  answers (final HTTP status: count)", "-", answers, True, False),
        at_least("services killed (kill -9)", plan.kills, ledger.count("kill -9")),
        Check(
            "  services restarted by the supervisor", "-", str(ledger.count("restart")), True, False
        ),
    ]
    for name, wanted in (("kafka", plan.restart_kafka), ("mongodb", plan.restart_mongo)):
        done = sum(1 for i in ledger.incidents if i.what == "infra restarted" and name in i.detail)
        checks.append(Check(f"{name} restarts", str(int(wanted)), str(done), done == int(wanted)))
    checks.append(Check("sandbox fault episodes", "-", str(ledger.count("fault")), True, False))
    return checks


def _commands(ledger: Ledger, snap: Snapshot) -> list[Check]:
    found = outcomes(ledger.accepted(), snap)
    tally = Counter(o.result for o in found)
    summary = ", ".join(f"{r} {tally[r]}" for r in (APPLIED, REFUSED, UNCHANGED, IN_FLIGHT, LOST))

    def listed(result: str) -> list[str]:
        return [
            f"op {o.command.seq} {o.command.kind} {o.command.id} {o.command.tenant} "
            f"{o.command.number or ''}: {o.where}"
            for o in found
            if o.result == result
        ]

    mistakes = [op for op in ledger.operations if op.mistake and op.attempts]
    at_once = [op for op in mistakes if op.status and 400 <= op.status < 500]
    took_effect = [
        f"op {o.command.seq} {o.command.id}: {o.where}"
        for o in found
        if o.command.must_refuse and _took_effect(o.result, o.where)
    ]
    return [
        Check("accepted commands (202)", "-", f"{len(found)} ({summary})", True, False),
        Check(
            "  releases coalesced with another (no trace of their own)",
            "-",
            str(sum(1 for o in found if o.where.startswith(COALESCED))),
            True,
            False,
            [line for line in listed(UNCHANGED) if COALESCED in line],
        ),
        zero("accepted commands silently lost", listed(LOST)),
        zero("accepted commands still in flight", listed(IN_FLIGHT)),
        Check(
            "mistakes refused at once (4xx)", "-", f"{len(at_once)} of {len(mistakes)}", True, False
        ),
        zero("mistakes that took effect", took_effect),
        zero("duplicate DIDWW orders (per request)", _duplicates(snap)),
    ]


def _took_effect(result: str, where: str) -> bool:
    """Tells whether a command changed something (PortSIP may still be catching up)."""
    return result in (APPLIED, UNCHANGED) or (result == IN_FLIGHT and where.startswith("applied"))


def _duplicates(snap: Snapshot) -> list[str]:
    return [f"request {ref}: {n} orders" for ref, n in snap.orders_by_reference.items() if n > 1]


def _stores(snap: Snapshot) -> list[Check]:
    billed, mismatched = [], []
    for tenant, view in snap.tenants.items():
        held = {n for n, row in view.rows.items() if row.get("status") in HELD}
        billed += [f"{tenant} {n}" for n in sorted(view.didww_live - held)]
        mismatched += [f"{tenant} {problem}" for problem in _disagreements(view, held)]
    return [
        zero("numbers billed at DIDWW, not listed", billed),
        zero("list = DIDWW = PortSIP per tenant (mismatches)", mismatched),
        zero("services not ready at the end", snap.not_ready),
    ]


def _disagreements(view: TenantView, held: set[str]) -> list[str]:
    """Every way the tenant's list, DIDWW account and PortSIP tenant disagree."""
    routing = view.routing
    pool = {f"+{d}" for d in routing["pools"]["DIDWW"]["did_numbers"].split(";") if d}
    rules: dict[str, list[str]] = {}
    for rule in routing["inbound_rules"]:
        rules.setdefault(f"+{rule['did_numbers']}", []).append(str(rule["destination"]))
    holders: dict[str, list[str]] = {}
    for extension, ids in routing["caller_ids"].items():
        for caller_id in ids:
            holders.setdefault(f"+{caller_id['caller_id']}", []).append(extension)
    problems = [f"{n}: listed, not at DIDWW" for n in sorted(held - view.didww_live)]
    problems += [f"{n}: listed, not in the PortSIP pool" for n in sorted(held - pool)]
    problems += [f"{n}: in the PortSIP pool, not listed" for n in sorted(pool - held)]
    problems += [f"{n}: PortSIP rule, not listed" for n in sorted(set(rules) - held)]
    problems += [f"{n}: caller ID in PortSIP, not listed" for n in sorted(set(holders) - held)]
    for number in sorted(held):
        problems += _row_against_pbx(number, view.rows[number], rules, holders)
    return problems


def _row_against_pbx(
    number: str, row: dict[str, Any], rules: dict[str, list[str]], holders: dict[str, list[str]]
) -> list[str]:
    if row.get("status") != "active":
        return [f"{number}: still {row.get('status')}"]
    target = (row.get("inbound_target") or {}).get("id") or DEFAULT_DESTINATION
    agent = row.get("outbound_agent")
    problems = []
    if rules.get(number) != [target]:
        problems.append(f"{number}: rings {target} in the list, {rules.get(number)} in PortSIP")
    if holders.get(number, []) != ([agent] if agent else []):
        problems.append(
            f"{number}: caller ID of {agent} in the list, {holders.get(number)} in PortSIP"
        )
    return problems


def _kafka(snap: Snapshot) -> list[Check]:
    expected: dict[str | None, set[str]] = {}
    for record in snap.records:
        expected.setdefault(record.tenant, set()).add(record.audit_id)
    missing, extra = [], []
    for tenant, view in snap.tenants.items():
        missing += [f"{tenant} {i}" for i in sorted(expected.get(tenant, set()) - view.audit_ids)]
        extra += [f"{tenant} {i}" for i in sorted(view.audit_ids - expected.get(tenant, set()))]
    untenanted = [f"no tenant: {i}" for i in sorted(expected.get(None, set()))]
    counts = Counter(r.audit_id for r in snap.records)
    repeated = sum(1 for n in counts.values() if n > 1)
    dlq = [r for r in snap.records if r.dead_letter]
    return [
        Check(
            "Kafka messages (distinct ids; published more than once)",
            "-",
            f"{len(counts)} ({repeated})",
            True,
            False,
        ),
        zero("Kafka messages missing from audit", missing + untenanted),
        zero("audit entries not on Kafka (unexplained)", extra),
        Check("DLQ messages", "-", str(len(dlq)), True, False, [_dead(r) for r in dlq]),
        zero("DLQ messages unexplained", [_dead(r) for r in dlq if not _explained(r, snap)]),
    ]


def _dead(record: Record) -> str:
    return (
        f"{record.topic} {record.type} {record.tenant} {record.payload.get('number', '')} "
        f"{record.message_id}: {record.headers.get('x-dlq-error', 'no reason given')[:160]}"
    )


def _explained(record: Record, snap: Snapshot) -> bool:
    """A dead letter is explained when it carries its reason and its tenant's admins see it."""
    view = snap.tenants.get(record.tenant or "")
    return (
        bool(record.headers.get("x-dlq-error"))
        and view is not None
        and (record.audit_id in view.audit_ids)
    )
