"""What of a tenant uses a trunk's numbers: inbound rules, outbound routes, caller IDs.

PortSIP refuses a pool that would strand them; the client looks first and never sends one.
Users, queues and ring groups list no caller IDs in their summaries, so each is read in full:
a check costs one read per object, and is made only when a pool loses numbers.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from velo_portsip.pools import DidPool, InvalidPool
from velo_portsip.transport import Transport

CALLER_ID_OWNERS = {
    "/users": "extension",
    "/call_queues": "call queue",
    "/ring_groups": "ring group",
}


async def numbers_in_use(t: Transport, provider_id: str) -> dict[str, list[str]]:
    """Returns what uses each number (or range) of the trunk, by number."""
    used: dict[str, list[str]] = defaultdict(list)
    async for rule in t.pages("/inbound_rules"):
        if rule.get("provider_id") == provider_id:
            used[str(rule["did_numbers"])].append(f"inbound rule {rule['name']!r}")
    async for listed in t.pages("/outbound_rules"):
        rule = await t.get(f"/outbound_rules/{listed['id']}")
        for route in rule.get("routes") or []:
            if route.get("provider_id") == provider_id and route.get("outbound_caller_id"):
                used[str(route["outbound_caller_id"])].append(f"outbound rule {rule['name']!r}")
    for path, kind in CALLER_ID_OWNERS.items():
        async for listed in t.pages(path):
            owner = await t.get(f"{path}/{listed['id']}")
            _add_caller_ids(used, owner, provider_id, f"{kind} {owner.get('extension_number')}")
    _add_caller_ids(used, await t.get("/tenant"), provider_id, "the tenant")
    return dict(used)


def _add_caller_ids(
    used: dict[str, list[str]], owner: dict[str, Any], provider_id: str, who: str
) -> None:
    for entry in owner.get("outbound_caller_ids") or []:
        if entry.get("provider_id") == provider_id:
            used[str(entry["caller_id"])].append(f"caller ID of {who}")


def stranded(used: dict[str, list[str]], before: DidPool, after: DidPool) -> dict[str, list[str]]:
    """Returns the uses whose number is in the pool before the change but not after it."""
    return {n: users for n, users in used.items() if _covers(before, n) and not _covers(after, n)}


def _covers(pool: DidPool, numbers: str) -> bool:
    try:
        return pool.covers(numbers)
    except InvalidPool:
        return False  # not a DID at all, so in no pool


def loses_numbers(before: DidPool, after: DidPool) -> bool:
    """Tells whether some number of before is missing from after."""
    return not all(after.covers(str(r)) for r in before.ranges)
