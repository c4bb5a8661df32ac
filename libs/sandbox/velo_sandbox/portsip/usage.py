"""What still uses a trunk's numbers: a pool may not shrink below it, nor a trunk go, while it does.

Otherwise inbound rules and caller IDs would point outside their trunk's pool: orphans the PBX
refuses to update any more (every update re-checks the whole rule).
"""

from __future__ import annotations

from collections.abc import Iterator

from velo_sandbox.portsip import pools
from velo_sandbox.portsip.errors import invalid
from velo_sandbox.portsip.store import Doc, Tenant


def uses_of_trunk(tenant: Tenant, provider_id: str) -> Iterator[tuple[str, str | None]]:
    """Yields what of the tenant uses the trunk, with the number it uses (None: just the trunk)."""
    for rule in tenant.inbound_rules.values():
        if rule.get("provider_id") == provider_id:
            yield f"inbound rule {rule['name']!r}", str(rule.get("did_numbers"))
    for rule in tenant.outbound_rules.values():
        for route in rule.get("routes", []):
            if route.get("provider_id") == provider_id:
                yield f"outbound rule {rule['name']!r}", route.get("outbound_caller_id")
    for kind, objects in (
        ("extension", tenant.users),
        ("call queue", tenant.call_queues),
        ("ring group", tenant.ring_groups),
    ):
        for owner in objects.values():
            yield from _caller_ids(f"{kind} {owner['extension_number']}", owner, provider_id)
    yield from _caller_ids("the tenant", tenant.settings, provider_id)


def _caller_ids(owner: str, doc: Doc, provider_id: str) -> Iterator[tuple[str, str | None]]:
    for entry in doc.get("outbound_caller_ids") or []:
        if entry.get("provider_id") == provider_id:
            yield f"caller ID of {owner}", str(entry.get("caller_id"))


def refuse_losing(tenant: Tenant, provider_id: str, pool: str | None) -> None:
    """Refuses a pool change that would leave the tenant's rules or caller IDs outside the pool;
    pool None means the tenant loses the trunk (destroyed or unassigned)."""
    kept = pools.spans(pool) if pool is not None else None
    stranded = [
        f"{what} ({number})" if number else what
        for what, number in uses_of_trunk(tenant, provider_id)
        if kept is None or (number is not None and not _within(number, kept))
    ]
    if stranded:
        message = f"still used by {'; '.join(stranded)}: change or remove those first"
        raise invalid(message, "did_numbers")


def _within(number: str, pool: list[pools.Span]) -> bool:
    try:
        return pools.inside(pools.span(number), pool)
    except pools.BadNumbers:
        return False  # a number changed by hand into nonsense: nobody can tell it is safe
