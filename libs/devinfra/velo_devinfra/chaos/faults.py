"""DIDWW and PortSIP failing on purpose, through the sandboxes' fault endpoints, on a schedule.

Each sandbox holds one fault plan at a time, so each gets its own sequence of episodes: 5xx at a
rate, 429 bursts, requests that hang until the client times out, and for PortSIP one long outage.
Times are fractions of the drive phase; the episodes' lengths come from the plan.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from velo_devinfra.chaos.access import Access
from velo_devinfra.chaos.ledger import Ledger
from velo_devinfra.chaos.plan import Plan


@dataclass(frozen=True)
class Episode:
    """One fault on one sandbox: when it starts, what it sets, how long it lasts."""

    at: float
    """Fraction of the drive phase."""
    name: str
    faults: dict[str, Any]
    seconds: float
    path: str = "/_admin/faults"


def schedule(plan: Plan) -> dict[str, list[Episode]]:
    """Returns each sandbox's episodes in order."""
    short, seed = plan.fault_seconds, plan.seed
    return {
        "didww": [
            Episode(
                0.10,
                "DIDWW 5xx (30%)",
                {"error_rate": 0.3, "error_status": 500, "seed": seed},
                short,
            ),
            Episode(0.25, "DIDWW 429 burst (15)", {"burst_429": 15}, short, "/_admin/rate_limit"),
            Episode(0.45, "DIDWW timeouts (3 hangs)", {"hang_count": 3}, short),
            Episode(0.70, "DIDWW 503 burst (6)", {"burst_status": 503, "burst_count": 6}, short),
        ],
        "portsip": [
            Episode(
                0.15,
                "PortSIP 5xx (30%)",
                {"error_rate": 0.3, "error_status": 502, "seed": seed},
                short,
            ),
            Episode(
                0.35,
                f"PortSIP outage ({plan.portsip_outage:.0f} s)",
                {"error_rate": 1.0, "error_status": 503},
                plan.portsip_outage,
            ),
            Episode(
                0.65, "PortSIP 429 burst (10)", {"burst_status": 429, "burst_count": 10}, short
            ),
            Episode(0.80, "PortSIP timeouts (2 hangs)", {"hang_count": 2}, short),
        ],
    }


async def inject(access: Access, ledger: Ledger, plan: Plan, started: float) -> None:
    """Runs both sandboxes' episodes; every fault is cleared when it ends."""
    async with access.plain() as http:
        await asyncio.gather(
            *(
                _episodes(access, http, ledger, sandbox, episodes, plan.drive_seconds, started)
                for sandbox, episodes in schedule(plan).items()
            )
        )


async def _episodes(
    access: Access,
    http: httpx.AsyncClient,
    ledger: Ledger,
    sandbox: str,
    episodes: list[Episode],
    drive: float,
    started: float,
) -> None:
    for episode in episodes:
        await asyncio.sleep(max(0.0, started + episode.at * drive - time.monotonic()))
        await access.admin(http, sandbox, "POST", episode.path, json=episode.faults)
        ledger.note("fault", f"{episode.name} for {episode.seconds:.0f} s")
        await asyncio.sleep(episode.seconds)
        await clear(access, http, sandbox)
        ledger.note("fault cleared", episode.name)


async def clear(access: Access, http: httpx.AsyncClient, sandbox: str) -> None:
    """Turns every injected fault of a sandbox off."""
    await access.admin(http, sandbox, "DELETE", "/_admin/faults")
    if sandbox == "didww":
        await access.admin(http, sandbox, "POST", "/_admin/rate_limit", json={"burst_429": 0})


async def clear_all(access: Access) -> None:
    """Turns every injected fault off on both sandboxes."""
    async with access.plain() as http:
        for sandbox in ("didww", "portsip"):
            await clear(access, http, sandbox)
