"""Breaking the system and keeping it running: kills, restarts, the broker and the database.

One lock guards the service processes, so a kill and a restart never touch one process at once.
Dead services are restarted with a short backoff (like `make run`'s supervisor), whether this
run killed them or they exited because the broker or the database was away.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter

from velo_devinfra.chaos.ledger import Ledger
from velo_devinfra.chaos.plan import Plan
from velo_devinfra.run import Restarts, System

SANDBOXES = ("didww-sandbox", "portsip-sandbox")


class Supervisor:
    """Kills services on a schedule, restarts what died, restarts Kafka and MongoDB once."""

    def __init__(self, system: System, ledger: Ledger, plan: Plan) -> None:
        self.system, self.ledger, self.plan = system, ledger, plan
        self.rng = random.Random(f"{plan.seed}:kills")  # noqa: S311 - a reproducible schedule
        self.lock = asyncio.Lock()
        self.restarts = Restarts(first=1.0, longest=10.0, calm=30.0)
        self.revived: Counter[str] = Counter()
        self.services = [c.name for c in system.components if c.name not in SANDBOXES]

    async def revive_until(self, stop: asyncio.Event) -> None:
        """Restarts dead services (with backoff) until stop is set."""
        while not stop.is_set():
            async with self.lock:
                names = await asyncio.to_thread(self.system.revive, self.restarts)
            for name in names:
                self.revived[name] += 1
                self.ledger.note("restart", name)
            await asyncio.sleep(0.5)

    async def kill_on_schedule(self, started: float) -> None:
        """Kills plan.kills services with SIGKILL, one every kill_every seconds (jittered)."""
        for _ in range(self.plan.kills):
            await asyncio.sleep(self.plan.kill_every * self.rng.uniform(0.5, 1.5))
            if time.monotonic() > started + self.plan.duration:
                self.ledger.note("kills stopped", "the drive phase is over its time bound")
                return
            async with self.lock:
                victim = self._victim()
                if victim:
                    await asyncio.to_thread(self.system.process_of(victim).kill)
                    self.ledger.note("kill -9", victim)

    def _victim(self) -> str | None:
        alive = [n for n in self.services if self.system.process_of(n).alive()]
        if "gateway" in alive and self.rng.random() < self.plan.gateway_share:
            return "gateway"
        others = [n for n in alive if n != "gateway"]
        return self.rng.choice(others) if others else None

    async def restart_infra(self, started: float) -> None:
        """Restarts the broker at 30% of the drive and the database at 60%."""
        drive = self.plan.drive_seconds
        steps = [
            (0.3, "kafka", self.plan.restart_kafka, self.system.infra.restart_kafka),
            (0.6, "mongodb", self.plan.restart_mongo, self.system.infra.restart_mongo),
        ]
        for at, name, wanted, restart in steps:
            if not wanted:
                continue
            await asyncio.sleep(max(0.0, started + at * drive - time.monotonic()))
            self.ledger.note("infra stop", name)
            begun = time.monotonic()
            await asyncio.to_thread(restart, 3.0)
            self.ledger.note("infra restarted", f"{name} (down {time.monotonic() - begun:.1f} s)")
