"""Bulk request throughput through the gateway, on the whole system as `make run` starts it.

The ceiling: DIDWW allows 20 requests/s per API key, and every number costs some DIDWW calls
(check, order, read the order, find and route the DID …). The sandbox counts every call it
answers per endpoint; their sum over the bulk (the gateway's pricing included) divided by the
numbers is the calls each number needs, C, so no client can do better than 20 / C numbers/s.
Target: ≥ 0.9 x that ceiling, from the POST to the last number Active.

    .venv/bin/python benchmarks/bench_bulk.py [--count 120] [--country US] [--type local]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import jwt

from velo_devinfra.run import System
from velo_devinfra.stack import free_port

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from velotest import free_offset

DIDWW_RATE = 20.0
"""DIDWW's limit: requests per second per API key."""
TARGET = 0.9


async def run_bulk(
    gateway: str, didww: str, token: str, body: dict[str, Any]
) -> tuple[float, dict[str, Any], dict[str, int], int]:
    """Requests the bulk, follows it to the end; returns seconds, final state, calls, 429s."""
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(base_url=gateway, headers=headers, timeout=30) as api,
        httpx.AsyncClient(base_url=didww, timeout=10) as sandbox,
    ):
        await sandbox.delete("/_admin/counters")
        refused_before = (await sandbox.post("/_admin/rate_limit", json={})).json()["refused"]
        started = time.perf_counter()
        accepted = await api.post("/v1/number-requests", json=body)
        accepted.raise_for_status()
        print(f"  accepted {accepted.json()['total']} numbers, cost {accepted.json()['cost']}")
        state = await _until_done(api, accepted.headers["Location"])
        elapsed = time.perf_counter() - started
        calls: dict[str, int] = (await sandbox.get("/_admin/counters")).json()
        refused = (await sandbox.post("/_admin/rate_limit", json={})).json()["refused"]
    return elapsed, state, calls, refused - refused_before


async def _until_done(api: httpx.AsyncClient, location: str) -> dict[str, Any]:
    """Follows the bulk to its end; notes when every number was bought (approved at DIDWW)."""
    started, last = time.perf_counter(), ""
    state: dict[str, Any] = {}
    while state.get("status") != "done":
        response = await api.get(location)
        if response.status_code == 200:  # else ordering has not stored it yet
            state = response.json()
            bought = sum(r["status"] in ("approved", "active") for r in state["requests"])
            line = f"{bought}/{state['total']} bought, {state['done']} active"
            if line != last:
                print(f"  {time.perf_counter() - started:6.1f} s  {line}")
                last = line
            if bought == state["total"] and "bought_after" not in state:
                state["bought_after"] = time.perf_counter() - started
        await asyncio.sleep(0.25)  # polling is what the measurement is
    return state


def main() -> None:
    """Starts the system, measures one bulk, stops it, prints figure, ceiling and verdict."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--country", default="US")
    parser.add_argument("--type", default="local")
    parser.add_argument("--keep", type=Path, help="keep the system's data and logs here")
    args = parser.parse_args()
    body = {"country": args.country, "type": args.type, "quantity": args.count}
    with tempfile.TemporaryDirectory() as temporary:
        data = args.keep or Path(temporary)
        system = System(data, free_port(), free_port(), free_offset())
        try:
            system.start()
            port = {c.name: c.port for c in system.components}
            claims = {"sub": "bench@acme", "tenant_id": "acme", "role": "admin"}
            claims["exp"] = int(time.time()) + 3600
            token = jwt.encode(claims, system.secrets["VELO_GATEWAY_JWT_SECRET"], "HS256")
            gateway, didww = (f"http://127.0.0.1:{port[n]}" for n in ("gateway", "didww-sandbox"))
            elapsed, state, calls, refused = asyncio.run(run_bulk(gateway, didww, token, body))
        finally:
            system.stop()
    _report(args.count, elapsed, state, calls, refused)


def _report(
    count: int, elapsed: float, state: dict[str, Any], calls: dict[str, int], refused: int
) -> None:
    total_calls = sum(calls.values())
    per_number = total_calls / count
    ceiling = DIDWW_RATE / per_number
    figure = state["done"] / elapsed
    ratio = figure / ceiling
    bought = state["total"] / state.get("bought_after", elapsed)
    print("  DIDWW calls during the bulk, by endpoint:")
    for endpoint, n in sorted(calls.items(), key=lambda kv: -kv[1]):
        print(f"    {n:6d}  {endpoint}")
    print(
        f"bulk of {count}: {state['done']} active, {state['failed']} failed in {elapsed:.1f} s; "
        f"{total_calls} DIDWW calls = {per_number:.2f} per number, {refused} answered 429"
    )
    print(
        f"bought at DIDWW (every number approved): {bought:.2f} numbers/s "
        f"= {bought / ceiling:.2f}x the ceiling"
    )
    verdict = "pass" if ratio >= TARGET and state["done"] == count else "FAIL"
    print(
        f"bulk throughput: {figure:.2f} numbers/s | ceiling {ceiling:.2f} numbers/s "
        f"({DIDWW_RATE:g} req/s / {per_number:.2f} calls per number) | "
        f"{ratio:.2f}x the ceiling, target ≥ {TARGET}x → {verdict}"
    )


if __name__ == "__main__":
    main()
