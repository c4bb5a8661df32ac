"""DIDWW calls/s of one key across 4 callers (as 4 processes would): per-process vs shared budget.

Each caller has its own database connection and DIDWW client and keeps 5 calls in flight for a
few seconds against the DIDWW sandbox running as its own process at DIDWW's 20 requests/s per
key. Prints achieved calls/s beside the 20/s ceiling and the 429s the sandbox sent.
Target: ≥ 0.9 of the ceiling with 0 429s. Uses VELO_MONGO_URL when set, else starts the
local infrastructure.

    .venv/bin/python benchmarks/bench_didww_budget.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from velo_devinfra import LocalInfra
from velo_didww import Budget, DidwwClient, DidwwError, LocalBudget, RetryPolicy
from velo_offers import MongoScheduleStore, SharedBudgets
from velo_offers.budget import COLLECTION
from velo_runtime import configure_logging
from velo_sandbox.serve import free_port

CALLERS, IN_FLIGHT, CEILING, TARGET = 4, 5, 20.0, 0.9


async def caller(budget: Budget, base: str, key: str, until: float) -> tuple[int, int]:
    """Calls DIDWW until the deadline; returns (answered, refused with 429)."""
    answered = refused = 0
    retry = RetryPolicy(attempts=1)  # count a 429, don't hide it behind a retry
    async with DidwwClient(key, f"{base}/v3", budget=budget, retry=retry) as client:

        async def loop() -> None:
            nonlocal answered, refused
            while time.time() < until:
                try:
                    await client.get_balance()
                    answered += 1
                except DidwwError as error:
                    refused += error.status == 429

        await asyncio.gather(*(loop() for _ in range(IN_FLIGHT)))
    return answered, refused


async def run(mode: str, budgets: list[Budget], base: str, key: str, seconds: float) -> str:
    started = time.time()
    until = started + seconds
    outcomes = await asyncio.gather(*(caller(b, base, key, until) for b in budgets))
    elapsed = time.time() - started
    answered, refused = sum(o[0] for o in outcomes), sum(o[1] for o in outcomes)
    rate = answered / elapsed
    verdict = "pass" if rate >= TARGET * CEILING and refused == 0 else "FAIL"
    return (
        f"| {mode:<22} | {rate:6.1f} calls/s | {rate / CEILING:4.2f}x of {CEILING:g}/s "
        f"(target >= {TARGET}x, 0 x 429) | {refused:4d} x 429 | {verdict} |"
    )


async def measure(mongo_url: str, seconds: float) -> None:
    port = free_port()
    keys = {"per-process": "bench-key-local", "shared": "bench-key-shared"}
    sandbox = start_sandbox(port, list(keys.values()))
    base = f"http://127.0.0.1:{port}"
    clients: list[AsyncMongoClient[dict[str, Any]]] = []
    database = f"bench_budget_{os.getpid()}"
    try:
        await _until_up(base)
        print(f"DIDWW budget: {CALLERS} callers x {IN_FLIGHT} in flight, {seconds:g} s each")
        local: list[Budget] = [LocalBudget() for _ in range(CALLERS)]
        print(await run("per-process (before)", local, base, keys["per-process"], seconds))
        clients = [AsyncMongoClient(mongo_url) for _ in range(CALLERS)]
        shared: list[Budget] = [
            SharedBudgets(MongoScheduleStore(c[database][COLLECTION]))(keys["shared"])
            for c in clients
        ]
        print(await run("shared (after)", shared, base, keys["shared"], seconds))
    finally:
        if clients:
            await clients[0].drop_database(database)
        for client in clients:
            await client.close()
        sandbox.terminate()
        sandbox.wait(timeout=10)


def start_sandbox(port: int, keys: list[str]) -> subprocess.Popen[bytes]:
    """Starts the DIDWW sandbox as its own process (20 requests/s per key), with keys."""
    command = [str(Path(sys.executable).parent / "velo-sandbox"), "didww", "--port", str(port)]
    for key in keys:
        command += ["--account", f"{key}:100"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


async def _until_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(300):
            try:
                await http.get("/_admin/counters/rate_limit")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the DIDWW sandbox did not start")


def main() -> None:
    """Benchmarks against the configured or a freshly started database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    seconds = parser.parse_args().seconds
    configure_logging("bench", "ERROR", json=True)
    if os.environ.get("VELO_MONGO_URL"):
        asyncio.run(measure(os.environ["VELO_MONGO_URL"], seconds))
        return
    with tempfile.TemporaryDirectory() as data:
        infra = LocalInfra(Path(data))
        infra.start()
        try:
            asyncio.run(infra.wait_ready())
            asyncio.run(measure(infra.endpoints.mongo_url, seconds))
        finally:
            infra.stop()


if __name__ == "__main__":
    main()
