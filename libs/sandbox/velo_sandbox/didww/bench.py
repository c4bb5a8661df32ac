"""Measures the DIDWW sandbox's throughput over a real socket.

Run `python -m velo_sandbox.didww.bench [--requests N] [--concurrency C]`.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

import httpx

from velo_sandbox.didww.app import create_app
from velo_sandbox.didww.runtime import SandboxConfig
from velo_sandbox.serve import serve_in_thread

KEY = "bench-key"
HEADERS = {"Api-Key": KEY, "Content-Type": "application/vnd.api+json"}
Call = Callable[[httpx.AsyncClient, int], Coroutine[Any, Any, httpx.Response]]


async def _rate(base: str, call: Call, total: int, concurrency: int) -> tuple[float, int]:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, limits=limits, timeout=60) as http:
        queue = iter(range(total))
        failures = 0

        async def worker() -> None:
            nonlocal failures
            for i in queue:
                if (await call(http, i)).status_code >= 400:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.perf_counter() - started), failures


async def _available_dids(http: httpx.AsyncClient, _: int) -> httpx.Response:
    return await http.get(
        "/v3/available_dids",
        params={"filter[number_contains]": "4930", "include": "did_group.stock_keeping_units"},
    )


def _order_call(sku_id: str) -> Call:
    async def order(http: httpx.AsyncClient, i: int) -> httpx.Response:
        item = {"type": "did_order_items", "attributes": {"sku_id": sku_id, "qty": 1}}
        attributes = {"items": [item], "external_reference_id": f"bench-{i}"}
        return await http.post(
            "/v3/orders", json={"data": {"type": "orders", "attributes": attributes}}
        )

    return order


async def run(total: int, concurrency: int) -> None:
    """Prints requests/second for available_dids and orders (rate limit off)."""
    reads = SandboxConfig(accounts={KEY: Decimal("1000000")}, rate_limit=None)
    await _measure("available_dids", create_app(reads), _available_dids, total, concurrency)
    writes = SandboxConfig(
        accounts={KEY: Decimal("1000000")}, order_delay=3600, rate_limit=None, stock_per_group=total
    )
    app = create_app(writes)
    sku = next(g for g in app.state.sandbox.state.catalog.groups if g.area_name == "Berlin").skus[0]
    await _measure("orders (qty=1)", app, _order_call(sku.id), total, concurrency)


async def _measure(name: str, app: Any, call: Call, total: int, concurrency: int) -> None:
    with serve_in_thread(app) as server:
        rate, failures = await _rate(server.url, call, total, concurrency)
    print(f"{name:>16}: {rate:8.1f} req/s over {total} requests, {failures} errors")


def main() -> None:
    """Runs the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.concurrency))


if __name__ == "__main__":
    main()
