"""Buys, routes and releases a number with the DIDWW client against a DIDWW sandbox.

Run: .venv/bin/python examples/didww_walkthrough.py [BASE_URL]  (default: a sandbox started here)
"""

from __future__ import annotations

import asyncio
import sys

from velo_didww import DidOrderItem, DidwwClient, SipConfiguration
from velo_sandbox.didww import SandboxConfig, create_app
from velo_sandbox.serve import serve_in_thread

KEY = "sandbox-acme-key"


async def walkthrough(base_url: str) -> None:
    """Prints each step of a number's life at DIDWW."""
    async with DidwwClient(KEY, base_url) as didww:
        for iso in ("DE", "GB", "US"):
            [country] = await didww.list_countries({"iso": iso})
            groups = await didww.list_did_groups({"country.id": country.id})
            kyc = sum(g.needs_registration for g in groups)
            print(f"{iso}: {len(groups)} groups, {kyc} need registration (KYC)")
        [us] = await didww.list_countries({"iso": "US"})
        [new_york] = [
            g
            for g in await didww.list_did_groups({"country.id": us.id})
            if g.area_name == "New York"
        ]
        [offer, *_] = await didww.list_available_dids({"did_group.id": new_york.id})
        sku = offer.did_group.stock_keeping_units[0]
        print(
            f"offer +{offer.number}: setup {sku.setup_price} USD, monthly {sku.monthly_price} USD,"
            f" kyc_required={offer.did_group.needs_registration}"
        )
        reservation = await didww.create_did_reservation(offer.id, "walkthrough")
        print(f"reserved until {reservation.expires_at}")
        order = await didww.create_order(
            [DidOrderItem(sku_id=sku.id, did_reservation_id=reservation.id)],
            external_reference_id="walkthrough-1",
        )
        print(f"order {order.reference}: {order.status}, amount {order.amount} USD")
        while (order := await didww.get_order(order.id)).status == "pending":  # noqa: ASYNC110
            await asyncio.sleep(0.2)  # polling is DIDWW's documented fallback to callbacks
        [did] = await didww.list_dids({"order.id": order.id})
        print(f"order {order.status}; DID {did.id} is +{did.number}")
        trunk = await didww.create_voice_in_trunk(
            "acme-portsip", SipConfiguration(host="sip.acme.pbx.local", port=5060, username="{DID}")
        )
        did = await didww.point_did_at_trunk(did.id, trunk.id)
        print(f"DID points at trunk {trunk.name} ({did.voice_in_trunk_id == trunk.id})")
        did = await didww.terminate_did(did.id)
        print(f"terminated={did.terminated}, billing cycles left {did.billing_cycles_count}")


def main() -> None:
    """Runs against the given URL, or a sandbox started for the purpose."""
    if len(sys.argv) > 1:
        asyncio.run(walkthrough(sys.argv[1]))
        return
    with serve_in_thread(create_app(SandboxConfig(order_delay=1.0))) as sandbox:
        asyncio.run(walkthrough(f"{sandbox.url}/v3"))


if __name__ == "__main__":
    main()
