"""Routes a number in PortSIP with the client, printing the sandbox's routing dump at each step.

Run: .venv/bin/python examples/portsip_walkthrough.py
"""

from __future__ import annotations

import asyncio
import json

import httpx

from velo_portsip import (
    InboundRuleInput,
    OutboundCallerId,
    OutboundRoute,
    OutboundRuleInput,
    PortsipClient,
)
from velo_sandbox.portsip import SandboxConfig, create_app
from velo_sandbox.serve import serve_in_thread

NUMBER = "442071234567"


def dump(base: str, step: str) -> None:
    """Prints the routing state the sandbox holds for acme."""
    routing = httpx.get(f"{base}/_admin/tenants/acme.pbx.local/routing").json()
    inbound = [(r["did_numbers"], r["destination"]) for r in routing["inbound_rules"]]
    print(
        f"{step:<28} pool={routing['pools']['DIDWW']['did_numbers']!r} inbound={inbound}"
        f" caller_ids={json.dumps(routing['caller_ids'])} outbound={len(routing['outbound_rules'])}"
    )


async def walkthrough(base: str) -> None:
    """Pools, routes, presents and removes one number."""
    async with PortsipClient(f"{base}/api", "admin", "acme-admin-pass", "acme.pbx.local") as pbx:
        trunk = await pbx.providers.find_by_name("DIDWW")
        assert trunk is not None
        await pbx.providers.add_did(trunk.id, NUMBER)
        dump(base, "added to the DID pool")
        rule = await pbx.inbound_rules.create(
            InboundRuleInput.forwarding(
                "800", name=f"DID {NUMBER}", did=NUMBER, provider_id=trunk.id
            )
        )
        dump(base, "rings queue 800")
        await pbx.inbound_rules.update(rule, InboundRuleInput.forwarding("101"))
        dump(base, "rings agent 101")
        agent = await pbx.users.find_by_extension("101")
        assert agent is not None
        caller_id = OutboundCallerId(provider_id=trunk.id, caller_id=NUMBER, preferred=True)
        await pbx.users.add_caller_id(agent.id, caller_id)
        dump(base, "101's preferred caller ID")
        route = OutboundRoute(provider_id=trunk.id, outbound_caller_id=NUMBER)
        presence = await pbx.outbound_rules.create(
            OutboundRuleInput(
                name="Local presence GB for 101",
                number_prefix="44",
                number_mask="101",
                priority=100,
                routes=[route],
            )
        )
        dump(base, "local presence for +44")
        await pbx.outbound_rules.destroy(presence)
        await pbx.users.remove_caller_id(agent.id, NUMBER)
        await pbx.inbound_rules.destroy(rule)
        await pbx.providers.remove_did(trunk.id, NUMBER)
        dump(base, "all removed")


def main() -> None:
    """Runs against a PortSIP sandbox started for the purpose."""
    with serve_in_thread(create_app(SandboxConfig())) as sandbox:
        asyncio.run(walkthrough(sandbox.url))


if __name__ == "__main__":
    main()
