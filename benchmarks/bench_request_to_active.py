"""Request → Active through the gateway, on the whole system as `make run` starts it.

Default sandbox delays (DIDWW completes an order after 3 s). Prints each request and the median.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import jwt

from velo_devinfra.run import System
from velo_devinfra.stack import free_port

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from velotest import free_offset

REQUESTS = 5


async def request_to_active(gateway: str, token: str) -> list[float]:
    """Requests REQUESTS listed numbers one after another; returns each one's seconds to Active."""
    headers = {"Authorization": f"Bearer {token}"}
    timings = []
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=30) as api:
        found = await api.get("/v1/inventory", params={"country": "US", "type": "local"})
        for offer in found.json()["items"][:REQUESTS]:
            started = time.perf_counter()
            accepted = await api.post("/v1/number-requests", json={"offer_id": offer["offer_id"]})
            accepted.raise_for_status()
            await _until_active(api, offer["number"])
            timings.append(time.perf_counter() - started)
            print(f"  {offer['number']}: {timings[-1]:.2f} s")
    return timings


async def _until_active(api: httpx.AsyncClient, number: str) -> None:
    while (await api.get(f"/v1/numbers/{number}")).json().get("status") != "active":  # noqa: ASYNC110
        await asyncio.sleep(0.05)  # polling is what the measurement is


def main() -> None:
    """Starts the system, measures, stops it."""
    with tempfile.TemporaryDirectory() as data:
        system = System(Path(data), free_port(), free_port(), free_offset())
        try:
            system.start()
            gateway = next(c for c in system.components if c.name == "gateway")
            claims = {
                "sub": "bench@acme",
                "tenant_id": "acme",
                "role": "admin",
                "exp": int(time.time()) + 3600,
            }
            token = jwt.encode(claims, system.secrets["VELO_GATEWAY_JWT_SECRET"], "HS256")
            timings = asyncio.run(request_to_active(f"http://127.0.0.1:{gateway.port}", token))
        finally:
            system.stop()
    print(
        f"request → Active: median {statistics.median(timings):.2f} s, "
        f"min {min(timings):.2f} s, max {max(timings):.2f} s over {len(timings)} requests"
    )


if __name__ == "__main__":
    main()
